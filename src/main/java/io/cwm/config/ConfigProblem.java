package io.cwm.config;

import java.util.List;

/**
 * One problem found in a config file. {@code entryKind}/{@code entry} name the webhook id or
 * connection name (null for the file as a whole); {@code key} is the dotted path inside the entry
 * (null when the whole entry is meant).
 */
public record ConfigProblem(
    Severity severity, String file, String entryKind, String entry, String key, String message) {
  public enum Severity { ERROR, WARNING }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code error: webhooks.json: webhook 'github': hmac.secret: is required}. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(severity == Severity.ERROR ? "error: " : "warning: ");
    text.append(file);
    if (entry != null) {
      text.append(": ").append(entryKind).append(" '").append(entry).append('\'');
    }
    if (key != null) {
      text.append(": ").append(key);
    }
    return text.append(": ").append(message).toString();
  }

  /** A key path as config files write it, from its parts: {@code a.b[0].c}. */
  public static String keyPath(List<String> parts) {
    StringBuilder key = new StringBuilder();
    for (String part : parts) {
      if (!part.startsWith("[") && key.length() > 0) {
        key.append('.');
      }
      key.append(part);
    }
    return key.toString();
  }
}
