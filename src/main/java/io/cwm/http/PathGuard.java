package io.cwm.http;

/**
 * Finds {@code ..} segments in a raw request path in every spelling a router might resolve:
 * literal, percent-encoded dots ({@code %2e}, any case, any mix), and segments separated by an
 * encoded slash or a backslash. Routing works on a normalised path, so
 * {@code /webhook/%2e%2e/stats} would otherwise be served by {@code /stats}.
 */
public final class PathGuard {
  private PathGuard() {}

  public static boolean hasDotSegment(String rawPath) {
    if (rawPath == null || (rawPath.indexOf('.') < 0 && rawPath.indexOf('%') < 0)) {
      return false;
    }
    int dots = 0;
    boolean onlyDots = true;
    int i = 0;
    int length = rawPath.length();
    while (i <= length) {
      char c;
      int next;
      if (i == length) {
        c = '/';
        next = i + 1;
      } else if (rawPath.charAt(i) == '%' && i + 2 < length) {
        c = decoded(rawPath.charAt(i + 1), rawPath.charAt(i + 2));
        next = i + 3;
      } else {
        c = rawPath.charAt(i);
        next = i + 1;
      }
      if (c == '/' || c == '\\') {
        if (onlyDots && dots == 2) {
          return true;
        }
        dots = 0;
        onlyDots = true;
      } else if (c == '.') {
        dots++;
      } else {
        onlyDots = false;
      }
      i = next;
    }
    return false;
  }

  /** The character a {@code %XY} escape stands for, or NUL when it is not a valid escape. */
  private static char decoded(char high, char low) {
    int value = Character.digit(high, 16) * 16 + Character.digit(low, 16);
    return Character.digit(high, 16) < 0 || Character.digit(low, 16) < 0 ? '\0' : (char) value;
  }
}
