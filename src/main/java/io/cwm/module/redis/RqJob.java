package io.cwm.module.redis;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

/**
 * An RQ job as Python RQ 2.x writes it for {@code Queue(queue).enqueue(function, payload, headers)}
 * (modules.md §3.5): the hash {@code rq:job:<id>} whose {@code data} is the zlib-compressed pickle
 * of {@code (function, None, (payload, headers), {})}, pushed on {@code rq:queue:<queue>} which is
 * registered in the set {@code rq:queues}.
 */
public record RqJob(String id, String queue, Map<String, Object> fields) {
  public static final String QUEUES_KEY = "rq:queues";
  public static final String DEFAULT_QUEUE = "default";
  static final int DEFAULT_TIMEOUT_SECONDS = 180;
  private static final DateTimeFormatter RQ_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern DOTTED_NAME =
      Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*){0,2}$");
  private static final Pattern FORBIDDEN = Pattern.compile("[;|&$`()\\[\\]{}<>?*!]");
  private static final Pattern QUEUE = Pattern.compile("^[A-Za-z0-9_.:-]{1,255}$");
  private static final Set<String> BLOCKED = Set.of("eval", "exec", "compile", "__import__", "open", "file",
      "input", "raw_input", "execfile", "reload", "getattr", "setattr", "delattr", "hasattr", "globals",
      "locals", "vars", "dir", "help", "breakpoint");
  private static final int ARGUMENT_REPR_LIMIT = 75;

  public String jobKey() {
    return "rq:job:" + id;
  }

  public String queueKey() {
    return queueKey(queue);
  }

  public static String queueKey(String queue) {
    return "rq:queue:" + queue;
  }

  /** The checked {@code function}: a dotted name of at most three identifiers, nothing dangerous. */
  public static String function(JsonObject moduleConfig) {
    String configured = Coerce.string(moduleConfig, "function", null);
    if (configured == null) {
      throw new ConfigException("function", "is required (the dotted name of the RQ worker function)");
    }
    String function = configured.trim();
    if (function.isEmpty() || function.length() > 255 || function.indexOf('\0') >= 0 || function.contains("..")
        || function.contains("/") || function.contains("\\") || FORBIDDEN.matcher(function).find()) {
      throw new ConfigException("function", "must be a dotted Python name without special characters");
    }
    String lower = function.toLowerCase(Locale.ROOT);
    String last = function.substring(function.lastIndexOf('.') + 1);
    if (lower.startsWith("os.") || lower.startsWith("subprocess.") || BLOCKED.contains(function)
        || (function.startsWith("__") && function.endsWith("__")) || (last.startsWith("__") && last.endsWith("__"))) {
      throw new ConfigException("function", "names a blocked function");
    }
    if (!DOTTED_NAME.matcher(function).matches()) {
      throw new ConfigException("function", "must be name, module.name or package.module.name");
    }
    return function;
  }

  public static String queue(JsonObject moduleConfig) {
    String queue = Coerce.string(moduleConfig, "queue_name", DEFAULT_QUEUE).trim();
    if (!QUEUE.matcher(queue).matches()) {
      throw new ConfigException("queue_name", "must be 1-255 characters of A-Z a-z 0-9 _ . : -");
    }
    return queue;
  }

  /** A new job (fresh uuid4 id, timestamps now) calling {@code function(payload, headers)}. */
  public static RqJob create(String function, String queue, Object payload, Map<String, String> headers, Instant now) {
    Object headerDict = headers == null ? Map.of() : headers;
    byte[] pickled = PickleWriter.dumps(PickleWriter.Tuple.of(function, null,
        PickleWriter.Tuple.of(payload, headerDict), Map.of()));
    String time = RQ_TIME.format(now.truncatedTo(ChronoUnit.MICROS));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("created_at", time);
    fields.put("data", Buffer.buffer(zlib(pickled)));
    fields.put("success_callback_name", "");
    fields.put("failure_callback_name", "");
    fields.put("stopped_callback_name", "");
    fields.put("started_at", "");
    fields.put("ended_at", "");
    fields.put("last_heartbeat", "");
    fields.put("worker_name", "");
    fields.put("group_id", "");
    fields.put("description", callString(function, payload, headerDict));
    fields.put("timeout", String.valueOf(DEFAULT_TIMEOUT_SECONDS));
    fields.put("origin", queue);
    fields.put("status", "queued");
    fields.put("enqueued_at", time);
    return new RqJob(UUID.randomUUID().toString(), queue, fields);
  }

  static byte[] zlib(byte[] data) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 16);
      byte[] chunk = new byte[8192];
      while (!deflater.finished()) {
        out.write(chunk, 0, deflater.deflate(chunk));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  /** RQ's description: {@code function(repr(arg), …)} with each repr cut at 75 characters. */
  static String callString(String function, Object... args) {
    StringBuilder call = new StringBuilder(function).append('(');
    for (int i = 0; i < args.length; i++) {
      StringBuilder repr = new StringBuilder();
      // only the first 75 characters are kept: stop building once there are more
      repr(args[i], repr, ARGUMENT_REPR_LIMIT + 1);
      call.append(i == 0 ? "" : ", ");
      if (repr.length() > ARGUMENT_REPR_LIMIT) {
        call.append(repr, 0, ARGUMENT_REPR_LIMIT).append("...");
      } else {
        call.append(repr);
      }
    }
    return call.append(')').toString();
  }

  /** Python's repr for the JSON-ish values a webhook carries (close enough for a description). */
  static String repr(Object value) {
    StringBuilder out = new StringBuilder();
    repr(value, out, Integer.MAX_VALUE);
    return out.toString();
  }

  /** Appends the repr of {@code value}; may stop early once {@code out} holds at least {@code limit} characters. */
  private static void repr(Object value, StringBuilder out, int limit) {
    if (out.length() >= limit) {
      return;
    }
    if (value == null) {
      out.append("None");
    } else if (value instanceof Boolean bool) {
      out.append(bool ? "True" : "False");
    } else if (value instanceof Number number) {
      out.append(number);
    } else if (value instanceof CharSequence text) {
      appendString(text, out, limit);
    } else if (value instanceof Buffer buffer) {
      out.append('b');
      appendString(buffer.toString(java.nio.charset.StandardCharsets.ISO_8859_1), out, limit);
    } else if (value instanceof JsonArray array) {
      repr(array.getList(), out, limit);
    } else if (value instanceof List<?> list) {
      out.append('[');
      boolean first = true;
      for (Object item : list) {
        if (out.length() >= limit) {
          return;
        }
        out.append(first ? "" : ", ");
        first = false;
        repr(item, out, limit);
      }
      out.append(']');
    } else if (value instanceof JsonObject object) {
      repr(object.getMap(), out, limit);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (out.length() >= limit) {
          return;
        }
        out.append(first ? "" : ", ");
        first = false;
        repr(entry.getKey(), out, limit);
        out.append(": ");
        repr(entry.getValue(), out, limit);
      }
      out.append('}');
    } else {
      out.append(value);
    }
  }

  private static void appendString(CharSequence text, StringBuilder out, int limit) {
    char quote = containsChar(text, '\'') && !containsChar(text, '"') ? '"' : '\'';
    out.append(quote);
    for (int i = 0; i < text.length() && out.length() < limit; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c == quote) {
            out.append('\\').append(c);
          } else if (c < 0x20 || c == 0x7f) {
            out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append(quote);
  }

  private static boolean containsChar(CharSequence text, char wanted) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == wanted) {
        return true;
      }
    }
    return false;
  }
}
