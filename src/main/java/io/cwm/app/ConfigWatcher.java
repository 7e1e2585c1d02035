package io.cwm.app;

import io.cwm.config.Env;
import io.cwm.config.EnvVars;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File watching ({@code CONFIG_FILE_WATCHING_ENABLED=true}): the directories of the config files
 * given on the command line are watched (inotify through the JDK's WatchService), whatever the
 * files are called (Python reacted only to files literally named {@code webhooks.json} /
 * {@code connections.json}). Any event in those directories starts the debounce
 * ({@code CONFIG_RELOAD_DEBOUNCE_SECONDS}, default 3.0, clamped to 0.1 ... 3600); once it is quiet,
 * the files' contents are compared with what was last seen (SHA-256), and only a real change asks
 * for a reload. Comparing contents, not names, also catches a Kubernetes ConfigMap update, which
 * swaps a {@code ..data} symlink and never touches the file names. Editors that write a temporary
 * file and rename it, and several saves in a row, give one reload.
 */
final class ConfigWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
  static final double DEFAULT_DEBOUNCE_SECONDS = 3.0;

  private final Vertx vertx;
  /** Where the debounce runs: one context, so the timer needs no lock. */
  private final Context context;
  private final List<Path> files;
  private final long debounceMillis;
  private final Runnable onChange;
  private final WatchService watcher;
  private final Thread thread;
  private List<String> seen;
  private long timer = -1;
  private volatile boolean closed;

  private ConfigWatcher(Vertx vertx, List<Path> files, long debounceMillis, Runnable onChange) throws IOException {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.files = files;
    this.debounceMillis = debounceMillis;
    this.onChange = onChange;
    this.seen = fingerprints();
    this.watcher = files.get(0).getFileSystem().newWatchService();
    Set<Path> directories = new LinkedHashSet<>();
    files.forEach(file -> directories.add(file.toAbsolutePath().getParent()));
    for (Path directory : directories) {
      directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    }
    this.thread = new Thread(this::watch, "cwm-config-watcher");
    thread.setDaemon(true);
  }

  /**
   * Starts watching {@code files}; {@code onChange} runs (on a Vert.x context) after each change that
   * settled.
   */
  static ConfigWatcher start(Vertx vertx, List<Path> files, long debounceMillis, Runnable onChange)
      throws IOException {
    ConfigWatcher watching = new ConfigWatcher(vertx, List.copyOf(files), debounceMillis, onChange);
    watching.thread.start();
    LOG.info("watching {} for changes (debounce {} ms)", files.stream().map(Path::toString).toList(),
        debounceMillis);
    return watching;
  }

  /** {@code CONFIG_RELOAD_DEBOUNCE_SECONDS} in milliseconds: default 3 s, clamped to 0.1 ... 3600 s. */
  static long debounceMillis(Env env) {
    String raw = env.get(EnvVars.CONFIG_RELOAD_DEBOUNCE_SECONDS, "").trim();
    double seconds = DEFAULT_DEBOUNCE_SECONDS;
    if (!raw.isEmpty()) {
      try {
        seconds = Double.parseDouble(raw);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(EnvVars.CONFIG_RELOAD_DEBOUNCE_SECONDS + " must be a number of seconds, not '"
            + raw + "'");
      }
      if (Double.isNaN(seconds)) {
        seconds = DEFAULT_DEBOUNCE_SECONDS;
      }
    }
    return Math.round(Math.min(3600, Math.max(0.1, seconds)) * 1000);
  }

  private void watch() {
    while (!closed) {
      WatchKey key;
      try {
        key = watcher.take();
      } catch (InterruptedException | ClosedWatchServiceException stopped) {
        return;
      }
      boolean any = !key.pollEvents().isEmpty();
      key.reset();
      if (any) {
        context.runOnContext(event -> settle());
      }
    }
  }

  /** On the context: (re)starts the quiet period. */
  private void settle() {
    if (closed) {
      return;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timer = vertx.setTimer(debounceMillis, fired -> {
      timer = -1;
      vertx.<List<String>>executeBlocking(this::fingerprints, false).onSuccess(now -> {
        if (!closed && !now.equals(seen)) {
          seen = now;
          onChange.run();
        }
      });
    });
  }

  /** SHA-256 of each file's content ("missing" for a file that is not there, "unreadable" ...). */
  private List<String> fingerprints() {
    List<String> prints = new ArrayList<>();
    for (Path file : files) {
      try {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        prints.add(HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file))));
      } catch (NoSuchFileException missing) {
        prints.add("missing");
      } catch (IOException unreadable) {
        prints.add("unreadable");
      } catch (NoSuchAlgorithmException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    return prints;
  }

  @Override
  public void close() {
    closed = true;
    try {
      watcher.close();
    } catch (IOException ignored) {
      // closing: nothing to do
    }
    thread.interrupt();
    context.runOnContext(event -> {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    });
  }
}
