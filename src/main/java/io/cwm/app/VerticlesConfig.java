package io.cwm.app;

import io.cwm.config.ConfigException;
import io.cwm.config.ConfigJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code verticles.json}: which verticles each role deploys, how many instances, in which order.
 *
 * <pre>{@code
 * {"receiver": [{"verticle": "module:log", "instances": 1, "worker": true},
 *               {"verticle": "ingest", "instances": "event-loops"}], ...}
 * }</pre>
 */
public record VerticlesConfig(Map<String, List<Deployment>> roles) {
  /** The copy packed into the jar, used when no verticles.json is beside the process. */
  static final String BUNDLED = "/verticles.json";

  /** The verticles that own channels ({@link io.cwm.config.ChannelOwners}) and so take {@code "channels"} pins. */
  static final Set<String> PER_CHANNEL = Set.of("buffer", "stream", "channel");

  /**
   * One line of a role's group: a catalog name, an instance count (0 = one per event loop),
   * whether it runs on worker threads (for verticles that do blocking I/O, such as the log
   * module), and for a per-channel verticle the channels pinned to an instance
   * ({@code "channels": {"hot": 1}}).
   */
  public record Deployment(String verticle, int instances, boolean worker, Map<String, Integer> channels) {
    public Deployment {
      channels = Map.copyOf(channels);
    }

    public Deployment(String verticle, int instances, boolean worker) {
      this(verticle, instances, worker, Map.of());
    }
  }

  public List<Deployment> group(String role) {
    List<Deployment> group = roles.get(role);
    if (group == null) {
      throw new IllegalArgumentException("verticles config has no group for role '" + role + "'");
    }
    return group;
  }

  /** Reads {@code file}, or the bundled copy when {@code file} is null and none is in the CWD. */
  public static VerticlesConfig load(Path file) throws IOException {
    String text;
    String name;
    if (file != null) {
      text = Files.readString(file);
      name = file.toString();
    } else if (Files.exists(Path.of("verticles.json"))) {
      text = Files.readString(Path.of("verticles.json"));
      name = "verticles.json";
    } else {
      try (InputStream in = VerticlesConfig.class.getResourceAsStream(BUNDLED)) {
        if (in == null) {
          throw new IOException("no verticles.json found and none bundled");
        }
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        name = "verticles.json (bundled)";
      }
    }
    return parse(name, text);
  }

  /** Parses the text of {@code name}; a syntax error names the file, the line and the column. */
  static VerticlesConfig parse(String name, String text) {
    Object json;
    try {
      json = ConfigJson.decode(text);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage());
    }
    if (!(json instanceof JsonObject object)) {
      throw new IllegalArgumentException(name + ": must hold one JSON object");
    }
    return parse(object);
  }

  static VerticlesConfig parse(JsonObject json) {
    Map<String, List<Deployment>> roles = new java.util.LinkedHashMap<>();
    for (String role : json.fieldNames()) {
      if (role.startsWith("_")) {
        continue;
      }
      if (!(json.getValue(role) instanceof JsonArray lines)) {
        throw new IllegalArgumentException("verticles config: role '" + role + "' must be a list");
      }
      List<Deployment> group = new ArrayList<>();
      for (Object line : lines) {
        if (!(line instanceof JsonObject object) || !(object.getValue("verticle") instanceof String name)) {
          throw new IllegalArgumentException("verticles config: each line of '" + role
              + "' needs a \"verticle\" name");
        }
        Object instances = object.getValue("instances", 1);
        int count;
        if ("event-loops".equals(instances)) {
          count = 0;
        } else if (instances instanceof Number number && number.intValue() >= 1) {
          count = number.intValue();
        } else {
          throw new IllegalArgumentException("verticles config: '" + name + "' in '" + role
              + "': instances must be a positive number or \"event-loops\"");
        }
        group.add(new Deployment(name, count, Boolean.TRUE.equals(object.getValue("worker")),
            pins(role, name, object.getValue("channels"))));
      }
      roles.put(role, List.copyOf(group));
    }
    return new VerticlesConfig(Map.copyOf(roles));
  }

  /** {@code "channels": {"name": instance}} of a per-channel verticle's line; none when absent. */
  private static Map<String, Integer> pins(String role, String verticle, Object value) {
    if (value == null) {
      return Map.of();
    }
    String where = "verticles config: '" + verticle + "' in '" + role + "'";
    if (!PER_CHANNEL.contains(verticle)) {
      throw new IllegalArgumentException(where + ": only " + String.join(", ", new java.util.TreeSet<>(PER_CHANNEL))
          + " own channels; \"channels\" is not allowed here");
    }
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException(where + ": \"channels\" must map channel names to instance numbers");
    }
    Map<String, Integer> pins = new java.util.LinkedHashMap<>();
    for (String channel : object.fieldNames()) {
      if (!(object.getValue(channel) instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
          || number.intValue() < 0) {
        throw new IllegalArgumentException(where + ": channel '" + channel
            + "' must be pinned to an instance number (0 for the first)");
      }
      pins.put(channel, number.intValue());
    }
    return pins;
  }
}
