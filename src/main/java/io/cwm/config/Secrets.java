package io.cwm.config;

/**
 * Where {@code {$vault:path#field[:default]}} references are resolved: Vault when
 * {@code SECRETS_BACKEND=vault} or {@code VAULT_ENABLED=true}, else nowhere ({@link #NONE}: every
 * reference takes its inline default). Lookups are synchronous: a backend reads every secret a
 * config refers to before the config is built (see {@code io.cwm.config.vault}).
 */
public interface Secrets {
  /** No secrets backend: a reference resolves to its inline default, one without is a problem. */
  Secrets NONE = new Secrets() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public String lookup(String path, String field) {
      return null;
    }
  };

  /** Whether a backend is configured; when not, references use their defaults. */
  boolean enabled();

  /** The field of the secret at {@code path}, or null when the secret or the field is missing. */
  String lookup(String path, String field);

  /**
   * Why {@code path#field} did not resolve, for the config problem (never the secret's value);
   * null for the generic message.
   */
  default String failure(String path, String field) {
    return null;
  }
}
