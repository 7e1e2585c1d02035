package io.cwm.validate;

/**
 * The {@code Authorization} header of a request, read for one scheme: the credentials after the
 * scheme's prefix ({@code "Basic "}, {@code "Digest "}, {@code "OAuth "}, {@code "Bearer "}), or
 * the client's mistake when the header is missing or names another scheme.
 *
 * @param credentials the text after the prefix, unchanged; null when {@code problem} is set
 * @param problem the refusal's detail, or null
 */
record AuthorizationHeader(String credentials, String problem) {
  static AuthorizationHeader read(WebhookRequest request, String prefix, String otherScheme) {
    String header = request.header("authorization");
    if (header == null || header.isEmpty()) {
      return new AuthorizationHeader(null, "Missing Authorization header");
    }
    if (!header.startsWith(prefix)) {
      return new AuthorizationHeader(null, otherScheme);
    }
    return new AuthorizationHeader(header.substring(prefix.length()), null);
  }
}
