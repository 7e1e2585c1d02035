package io.cwm.module.s3;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Request headers as S3 user metadata ({@code include_headers}, modules.md §3.8): the name
 * lower-cased with {@code -} turned into {@code _}, the value cut to 1024 characters. Then what S3
 * itself demands, checked here rather than left to fail at upload time:
 *
 * <ul>
 *   <li>names that are not {@code [a-z0-9_.]} after the mapping are left out (they would not be
 *       valid {@code x-amz-meta-} header names everywhere);
 *   <li>a value with characters outside printable US-ASCII (UTF-8 text, control characters) is
 *       sent RFC 2047 encoded ({@code =?UTF-8?B?...?=}), which S3 documents for non-ASCII
 *       metadata (it decodes on store, encodes again on read);
 *   <li>S3 refuses an upload whose user metadata is over 2 KB (names + values in UTF-8), so
 *       headers are taken in name order while they fit and the rest left out (counted in
 *       {@link Result#dropped()}), instead of failing the webhook for a large header.
 * </ul>
 *
 * Headers arrive after credential cleanup, so {@code authorization} and friends carry
 * {@code ***REDACTED***} (or are gone) unless the webhook turned cleanup off.
 */
final class S3Metadata {
  static final int MAX_VALUE_CHARS = 1024;
  static final int MAX_TOTAL_BYTES = 2048;
  private static final Pattern NAME = Pattern.compile("^[a-z0-9_.]+$");

  /** @param metadata what goes on the object; @param dropped headers left out (name or size) */
  record Result(Map<String, String> metadata, int dropped) {}

  private S3Metadata() {}

  static Result of(Map<String, String> headers) {
    Map<String, String> metadata = new LinkedHashMap<>();
    if (headers == null || headers.isEmpty()) {
      return new Result(metadata, 0);
    }
    int dropped = 0;
    int total = 0;
    // sorted by the mapped name: the same headers give the same metadata whatever their order
    Map<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey().toLowerCase(Locale.ROOT).replace('-', '_');
      if (!NAME.matcher(name).matches() || sorted.containsKey(name)) {
        dropped++;
        continue;
      }
      sorted.put(name, header.getValue() == null ? "" : header.getValue());
    }
    for (Map.Entry<String, String> entry : sorted.entrySet()) {
      String value = value(entry.getValue());
      int size = entry.getKey().length() + value.getBytes(StandardCharsets.UTF_8).length;
      if (total + size > MAX_TOTAL_BYTES) {
        dropped++;
        continue;
      }
      total += size;
      metadata.put(entry.getKey(), value);
    }
    return new Result(metadata, dropped);
  }

  /** Cut to 1024 characters, then made header-safe. */
  static String value(String raw) {
    String value = raw.length() > MAX_VALUE_CHARS ? raw.substring(0, MAX_VALUE_CHARS) : raw;
    if (Character.isHighSurrogate(value.isEmpty() ? 'x' : value.charAt(value.length() - 1))) {
      value = value.substring(0, value.length() - 1); // do not split a surrogate pair
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
      }
    }
    return value;
  }
}
