package io.cwm.app;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who asks the {@link ConfigReloader} for a reload, besides the admin API: the other cluster
 * nodes, {@code SIGHUP}, and the file watcher ({@code CONFIG_FILE_WATCHING_ENABLED=true}, files
 * only). Deployed before the listeners and undeployed after them.
 */
final class ConfigReloadVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloadVerticle.class);

  private final ConfigReloader reloader;
  private final List<Path> watched;
  private final long debounceMillis;
  private final Runnable onSighup;
  private ConfigWatcher watcher;

  /**
   * @param watched the files to watch, or empty for none
   */
  ConfigReloadVerticle(ConfigReloader reloader, List<Path> watched, long debounceMillis) {
    this.reloader = reloader;
    this.watched = watched;
    this.debounceMillis = debounceMillis;
    this.onSighup = () -> reloader.reload(true, true, false, "SIGHUP");
  }

  @Override
  public Future<?> start() {
    if (Sighup.add(onSighup)) {
      LOG.debug("SIGHUP reloads the config");
    }
    if (!watched.isEmpty()) {
      try {
        watcher = ConfigWatcher.start(vertx, watched, debounceMillis,
            () -> reloader.reload(true, true, false, "file watching"));
        reloader.fileWatching(true);
      } catch (IOException | RuntimeException cannot) {
        return Future.failedFuture(new IllegalStateException("cannot watch the config files: " + cannot.getMessage(),
            cannot));
      }
    }
    return reloader.start();
  }

  @Override
  public Future<?> stop() {
    Sighup.remove(onSighup);
    if (watcher != null) {
      watcher.close();
    }
    return reloader.stop();
  }
}
