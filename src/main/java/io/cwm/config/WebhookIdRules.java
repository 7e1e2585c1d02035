package io.cwm.config;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The webhook-id rules of spec §6 step 2 (also applied at load time, so an entry that could
 * never be called is reported instead of silently unreachable). Returns null when the id is
 * acceptable, else the client-facing reason.
 */
public final class WebhookIdRules {
  public static final int MAX_LENGTH = 64;
  private static final Pattern SHAPE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]*$");
  private static final Pattern NAMESPACE = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  private static final Set<String> RESERVED = Set.of("stats", "health", "docs", "openapi.json",
      "redoc", "api", "admin", "root", "system", "internal", "favicon.ico", "robots.txt");
  private static final String[] RESERVED_PREFIXES = {"_", "__", "internal_", "system_", "admin_"};
  private static final String[] RESERVED_SUFFIXES = {"_internal", "_system", "_admin"};

  private WebhookIdRules() {}

  public static String check(String id) {
    if (id == null || id.isBlank()) {
      return "Webhook ID cannot be empty";
    }
    String trimmed = id.trim();
    if (trimmed.length() > MAX_LENGTH) {
      return "Webhook ID too long: " + trimmed.length() + " characters (max: " + MAX_LENGTH + ")";
    }
    if (!SHAPE.matcher(trimmed).matches()) {
      return "Invalid webhook ID format: must start with a letter or digit and contain only "
          + "letters, digits, underscores and hyphens";
    }
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (RESERVED.contains(lower)) {
      return "Webhook ID '" + trimmed + "' is reserved";
    }
    for (String prefix : RESERVED_PREFIXES) {
      if (lower.startsWith(prefix)) {
        return "Webhook ID cannot start with reserved prefix '" + prefix + "'";
      }
    }
    for (String suffix : RESERVED_SUFFIXES) {
      if (lower.endsWith(suffix)) {
        return "Webhook ID cannot end with reserved suffix '" + suffix + "'";
      }
    }
    if (trimmed.contains("--") || trimmed.contains("__")) {
      return "Webhook ID cannot contain consecutive underscores or hyphens";
    }
    return null;
  }

  public static boolean validNamespace(String namespace) {
    return namespace != null && NAMESPACE.matcher(namespace).matches();
  }
}
