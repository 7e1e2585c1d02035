package io.cwm.module.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The s3 module-config rules and the object key (no S3 needed). */
class S3TargetTest {
  static final Instant AT = Instant.parse("2025-01-15T10:30:45.123456Z");
  static final UUID ID = UUID.fromString("3f2c8a0e-1b7d-4c1a-9e55-2d0c6b1f7a90");

  private static JsonObject config(String key, Object value) {
    return new JsonObject().put("bucket", "webhook-archive").put(key, value);
  }

  private static void assertRefused(JsonObject config, String key) {
    ConfigException e = assertThrows(ConfigException.class, () -> S3Target.fromConfig(config), config::encode);
    assertEquals(key, e.key(), e::getMessage);
  }

  @Test
  void defaultsGiveThePythonKeyShape() {
    S3Target target = S3Target.fromConfig(new JsonObject().put("bucket", "webhook-archive"));
    assertEquals("webhooks", target.prefix());
    assertEquals("webhook_{uuid}.json", target.filenamePattern());
    assertFalse(target.includeHeaders());
    assertNull(target.contentType());
    assertEquals("application/json", target.contentTypeFor(false));
    assertEquals("application/octet-stream", target.contentTypeFor(true));
    assertEquals("webhooks/2025/01/15/10/webhook_" + ID + ".json", target.objectKey(AT, ID));
  }

  @Test
  void timestampPlaceholderIsTheUploadInstantWithoutColons() {
    S3Target target = S3Target.fromConfig(config("filename_pattern", "webhook_{timestamp}_{uuid}.json")
        .put("prefix", " webhooks/archive ").put("content_type", "text/plain; charset=utf-8")
        .put("include_headers", "true"));
    assertEquals("webhooks/archive/2025/01/15/10/webhook_2025-01-15T10-30-45.123456_" + ID + ".json",
        target.objectKey(AT, ID));
    assertEquals("text/plain; charset=utf-8", target.contentTypeFor(true));
    assertTrue(target.includeHeaders());
    // a whole second still has six fraction digits (fixed width: names sort by time)
    assertEquals("webhooks/archive/2025/12/31/23/webhook_2025-12-31T23-59-59.000000_" + ID + ".json",
        target.objectKey(Instant.parse("2025-12-31T23:59:59Z"), ID));
  }

  @Test
  void aPlaceholderAloneIsAFileName() {
    assertEquals("webhooks/2025/01/15/10/" + ID, S3Target.fromConfig(config("filename_pattern", "{uuid}")).objectKey(AT, ID));
  }

  @Test
  void bucketIsRequiredAtLoad() {
    assertRefused(new JsonObject(), "bucket");
    assertRefused(new JsonObject().put("bucket", 12), "bucket");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ab", "Upper-Case", "under_score", "-leading", "trailing-", "two..dots",
      "192.168.1.10", "xn--bucket", "sthree-bucket", "amzn-s3-demo-bucket", "bucket-s3alias", "bucket--ol-s3",
      "bucket.mrap", "bucket--x-s3", "with space", "../etc", "a/b",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
  void invalidBucketNamesAreRefused(String bucket) {
    assertRefused(new JsonObject().put("bucket", bucket), "bucket");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "webhook-archive", "logs.example.com", "a1b2c3", "bucket-2025"})
  void validBucketNamesPass(String bucket) {
    assertEquals(bucket, S3Target.fromConfig(new JsonObject().put("bucket", bucket)).bucket());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc", "a//b", "/abs", "trailing/", "a--b", "a..b", "", "  ", "has space", "a.b",
      "a:b", "a\\b", "a%2fb", "a\nb", "ünïcode"})
  void invalidPrefixesAreRefusedNamingTheKey(String prefix) {
    assertRefused(config("prefix", prefix), "prefix");
  }

  @Test
  void prefixLimits() {
    assertRefused(config("prefix", "p".repeat(256)), "prefix");
    assertRefused(config("prefix", 5), "prefix");
    assertEquals("p".repeat(255), S3Target.fromConfig(config("prefix", "p".repeat(255))).prefix());
    assertEquals("a/b-c/d_e", S3Target.fromConfig(config("prefix", "a/b-c/d_e")).prefix());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/b.json", "..json", "x..y", "a\\b", "a--b", "{webhook_id}.json", "{uuid", "f{}.json",
      "name with space.json", "a:b", "a;b", "a$b", "ü.json", ""})
  void invalidFilenamePatternsAreRefusedNamingTheKey(String pattern) {
    assertRefused(config("filename_pattern", pattern), "filename_pattern");
  }

  @Test
  void objectKeysOverTheS3LimitAreRefusedAtLoad() {
    // 42 {uuid}s: 252 characters written, 1512 expanded
    assertRefused(config("filename_pattern", "{uuid}".repeat(42)), "filename_pattern");
    assertRefused(config("filename_pattern", "f".repeat(256)), "filename_pattern");
    S3Target longest = S3Target.fromConfig(config("filename_pattern", "{uuid}".repeat(26)));
    assertTrue(longest.objectKey(AT, ID).length() <= 1024);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "json", "/json", "text/plain\r\nX-Injected: 1", "application/jsön"})
  void invalidContentTypesAreRefused(String type) {
    assertRefused(config("content_type", type), "content_type");
  }

  @Test
  void includeHeadersMustBeABoolean() {
    assertRefused(config("include_headers", "yes"), "include_headers");
  }
}
