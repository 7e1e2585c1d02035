package io.cwm.config;

/**
 * Thrown while parsing one config value: names the key (relative to the entry) and what is wrong.
 * Collected into {@link ConfigProblem}s by the loader.
 */
public class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String message) {
    super(message, null, false, false);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
