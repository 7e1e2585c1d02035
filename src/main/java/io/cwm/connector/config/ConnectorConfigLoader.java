package io.cwm.connector.config;

import io.cwm.config.ConfigException;
import io.cwm.config.ConfigJson;
import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.connector.ConnectorConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the process's connectors (spec §8): one per connector file, or one per element when a
 * file holds a JSON array of connector objects, or — without any file — one from the
 * environment and flags alone. Each is layered defaults &lt; file &lt; {@code CONNECTOR_*}
 * variables &lt; given flags, then substituted and validated by {@link ConnectorReader}.
 * Every problem of every file is collected; the connectors are only returned when there is no
 * error.
 */
public final class ConnectorConfigLoader {
  /** The {@code source} of a connector built without a file. */
  public static final String ENVIRONMENT = "environment";

  /**
   * START: files referenced by a connector (TLS, module mode) must be readable. CHECK: a missing
   * one is a warning, since {@code check} may run outside the container the connector runs in.
   */
  public enum Purpose { START, CHECK }

  /** The connectors (empty when there is an error) and every problem found. */
  public record Result(List<ConnectorConfig> connectors, List<ConfigProblem> problems) {
    public boolean ok() {
      return problems.stream().noneMatch(ConfigProblem::isError);
    }

    public List<ConfigProblem> errors() {
      return problems.stream().filter(ConfigProblem::isError).toList();
    }
  }

  private final Env env;
  private final ConnectorFlags flags;
  private final Purpose purpose;
  private final List<ConfigProblem> problems = new ArrayList<>();

  private ConnectorConfigLoader(Env env, ConnectorFlags flags, Purpose purpose) {
    this.env = env;
    this.flags = flags;
    this.purpose = purpose;
  }

  /**
   * Loads every file in order ({@code files} empty: one connector from {@code env} and
   * {@code flags} only). Variables and flags apply to every connector.
   */
  public static Result load(List<Path> files, ConnectorFlags flags, Env env, Purpose purpose) {
    return new ConnectorConfigLoader(env, flags, purpose).run(files);
  }

  private Result run(List<Path> files) {
    List<ConnectorConfig> connectors = new ArrayList<>();
    if (files.isEmpty()) {
      add(connectors, ConnectorReader.read(ENVIRONMENT, null, env, flags, purpose, problems));
    }
    for (Path file : files) {
      for (Entry entry : read(file)) {
        add(connectors, ConnectorReader.read(entry.source(), entry.object(), env, flags, purpose, problems));
      }
    }
    checkDuplicates(connectors);
    boolean ok = problems.stream().noneMatch(ConfigProblem::isError);
    return new Result(ok ? List.copyOf(connectors) : List.of(), List.copyOf(problems));
  }

  private static void add(List<ConnectorConfig> connectors, ConnectorConfig connector) {
    if (connector != null) {
      connectors.add(connector);
    }
  }

  /** One connector object of a file; {@code source} is the file, or {@code file[i]} in a list. */
  private record Entry(String source, JsonObject object) {}

  /** The connector objects of one file (none after an error, which is recorded). */
  private List<Entry> read(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      fileError(file, "YAML connector files are not supported by this build: use the same content as JSON");
      return List.of();
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      fileError(file, "file not found");
      return List.of();
    } catch (IOException e) {
      fileError(file, "cannot read file: " + e.getClass().getSimpleName());
      return List.of();
    }
    Object parsed;
    try {
      parsed = ConfigJson.decode(text);
    } catch (ConfigException e) {
      fileError(file, e.getMessage());
      return List.of();
    }
    if (parsed instanceof JsonObject object) {
      return List.of(new Entry(file.toString(), object));
    }
    if (parsed instanceof JsonArray array && !array.isEmpty()) {
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        String source = file + "[" + i + "]";
        if (array.getValue(i) instanceof JsonObject object) {
          entries.add(new Entry(source, object));
        } else {
          problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, source, null, null, null,
              "must be a connector object"));
        }
      }
      return entries;
    }
    fileError(file, "must hold a connector object or a non-empty list of connector objects");
    return List.of();
  }

  /** Two connectors of one process on the same channel of the same receiver would compete. */
  private void checkDuplicates(List<ConnectorConfig> connectors) {
    Map<String, ConnectorConfig> seen = new HashMap<>();
    for (ConnectorConfig connector : connectors) {
      String key = receiverKey(connector.cloudUrl()) + " " + connector.channel();
      ConnectorConfig first = seen.putIfAbsent(key, connector);
      if (first != null) {
        problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, connector.source(), null, null, "channel",
            "channel '" + connector.channel() + "' of " + connector.cloudUrl()
                + " is already served by the connector from " + first.source()));
      }
    }
  }

  /** ws/http and wss/https name the same receiver; scheme and host are case-insensitive. */
  static String receiverKey(String cloudUrl) {
    URI uri = URI.create(cloudUrl);
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    boolean secure = scheme.equals("https") || scheme.equals("wss");
    String authority = uri.getRawAuthority().toLowerCase(Locale.ROOT);
    authority = authority.substring(authority.lastIndexOf('@') + 1);
    if (authority.endsWith(secure ? ":443" : ":80")) {
      authority = authority.substring(0, authority.lastIndexOf(':'));
    }
    return (secure ? "https://" : "http://") + authority + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  private void fileError(Path file, String message) {
    problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, file.toString(), null, null, null, message));
  }
}
