package io.cwm.config;

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
}
