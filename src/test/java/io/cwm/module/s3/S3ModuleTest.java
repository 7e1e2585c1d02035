package io.cwm.module.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.S3Server;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The s3 module through a real receiver against S3Mock ({@link S3Server}, child process): objects
 * are read back with a plain S3 client. One run-unique bucket, one prefix per webhook, both
 * deleted at the end.
 */
class S3ModuleTest {
  static final String BUCKET = "cwm-test-" + UUID.randomUUID().toString().substring(0, 8);
  static final String MISSING_BUCKET = "cwm-missing-" + UUID.randomUUID().toString().substring(0, 8);
  static final DateTimeFormatter HOUR_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
  static final String UUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  static S3Server s3;
  static S3Client reader;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.shared();
    s3.createBucket(BUCKET);
    reader = s3.client();
    server = TestServer.start("""
        {
          "archive": {"module": "s3", "connection": "mock",
                      "module-config": {"bucket": "%1$s", "prefix": "archive", "include_headers": true}},
          "stamped": {"module": "s3", "connection": "mock",
                      "module-config": {"bucket": "%1$s", "prefix": "events/stamped",
                                        "filename_pattern": "event_{timestamp}_{uuid}.json"}},
          "text": {"module": "s3", "connection": "mock", "data_type": "json",
                   "module-config": {"bucket": "%1$s", "prefix": "text"}},
          "raw": {"module": "s3", "connection": "mock", "data_type": "blob",
                  "module-config": {"bucket": "%1$s", "prefix": "raw", "filename_pattern": "{uuid}.bin"}},
          "typed": {"module": "s3", "connection": "mock", "data_type": "blob",
                    "module-config": {"bucket": "%1$s", "prefix": "typed", "content_type": "image/png"}},
          "restart": {"module": "s3", "connection": "mock",
                      "module-config": {"bucket": "%1$s", "prefix": "restart"}},
          "nobucket": {"module": "s3", "connection": "mock", "module-config": {"bucket": "%2$s"}}
        }
        """.formatted(BUCKET, MISSING_BUCKET), """
        {"mock": %s}
        """.formatted(s3.connectionJson()), Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (reader != null) {
      reader.close();
    }
    if (s3 != null) {
      s3.start(); // in case a test left it stopped
      s3.deleteBucket(BUCKET);
    }
  }

  private static List<S3Object> objects(String prefix) {
    return reader.listObjectsV2(request -> request.bucket(BUCKET).prefix(prefix + "/")).contents();
  }

  private static S3Object only(String prefix) {
    List<S3Object> objects = objects(prefix);
    assertEquals(1, objects.size(), () -> "objects under " + prefix + ": " + objects);
    return objects.get(0);
  }

  private static ResponseBytes<GetObjectResponse> read(String key) {
    return reader.getObjectAsBytes(request -> request.bucket(BUCKET).key(key));
  }

  /** The key's date path is the UTC hour of the upload (checked against both ends of the call). */
  private static void assertHourPath(String key, String prefix, Instant before, Instant after) {
    String hour = key.substring(prefix.length() + 1, prefix.length() + 1 + 13);
    assertTrue(hour.equals(HOUR_PATH.format(before)) || hour.equals(HOUR_PATH.format(after)), key);
  }

  @Test
  void storesPrettyJsonUnderTheDatedKeyWithTheHeadersAsMetadata() throws Exception {
    Instant before = Instant.now();
    HttpResponse<String> response = Http.post(server.port(), "/webhook/archive", "{\"event\":\"push\",\"n\":1,\"tags\":[\"a\"]}",
        "Content-Type", "application/json", "X-GitHub-Event", "push", "Authorization", "Bearer very-secret");
    Instant after = Instant.now();
    assertEquals(200, response.statusCode(), response::body);

    String key = only("archive").key();
    assertTrue(Pattern.matches("archive/\\d{4}/\\d{2}/\\d{2}/\\d{2}/webhook_" + UUID_TEXT + "\\.json", key), key);
    assertHourPath(key, "archive", before, after);
    ResponseBytes<GetObjectResponse> object = read(key);
    assertEquals("{\n  \"event\": \"push\",\n  \"n\": 1,\n  \"tags\": [\n    \"a\"\n  ]\n}", object.asUtf8String());
    assertEquals("application/json", object.response().contentType());
    Map<String, String> metadata = object.response().metadata();
    assertEquals("push", metadata.get("x_github_event"), metadata::toString);
    assertEquals("application/json", metadata.get("content_type"), metadata::toString);
    // credential cleanup ran before the module: the token never reaches the bucket
    assertFalse(metadata.toString().contains("very-secret"), metadata::toString);
  }

  @Test
  void filenamePatternTakesTimestampAndUuid() throws Exception {
    Instant before = Instant.now();
    HttpResponse<String> response = Http.post(server.port(), "/webhook/stamped", "[1,2]", "Content-Type", "application/json");
    Instant after = Instant.now();
    assertEquals(200, response.statusCode(), response::body);

    String key = only("events/stamped").key();
    Matcher matcher = Pattern.compile("events/stamped/(\\d{4})/(\\d{2})/(\\d{2})/(\\d{2})/event_"
        + "(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{6})_(" + UUID_TEXT + ")\\.json").matcher(key);
    assertTrue(matcher.matches(), key);
    // the timestamp is the same instant as the date path, and lies within the call
    String stamp = matcher.group(5);
    assertEquals(matcher.group(1) + "-" + matcher.group(2) + "-" + matcher.group(3) + "T" + matcher.group(4),
        stamp.substring(0, 13));
    Instant stored = Instant.parse(stamp.substring(0, 13) + ":" + stamp.substring(14, 16) + ":" + stamp.substring(17) + "Z");
    assertFalse(stored.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MICROS)), stamp);
    assertFalse(stored.isAfter(after), stamp);
    assertEquals("[\n  1,\n  2\n]", read(key).asUtf8String());
  }

  @Test
  void aJsonStringPayloadIsStoredAsItsText() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/text", "\"just text\"", "Content-Type", "application/json");
    assertEquals(200, response.statusCode(), response::body);
    assertEquals("just text", read(only("text").key()).asUtf8String());
  }

  @Test
  void blobPayloadIsStoredAsRawBytes() throws Exception {
    byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\n', 'x'};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/raw", bytes, "Content-Type", "application/octet-stream");
    assertEquals(200, response.statusCode(), response::body);

    String key = only("raw").key();
    assertTrue(Pattern.matches("raw/\\d{4}/\\d{2}/\\d{2}/\\d{2}/" + UUID_TEXT + "\\.bin", key), key);
    ResponseBytes<GetObjectResponse> object = read(key);
    assertArrayEquals(bytes, object.asByteArray());
    assertEquals("application/octet-stream", object.response().contentType());
    assertTrue(object.response().metadata().isEmpty(), () -> object.response().metadata().toString());
  }

  @Test
  void configuredContentTypeWinsForBlobs() throws Exception {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    HttpResponse<String> response = Http.post(server.port(), "/webhook/typed", png, "Content-Type", "image/png");
    assertEquals(200, response.statusCode(), response::body);
    ResponseBytes<GetObjectResponse> object = read(only("typed").key());
    assertArrayEquals(png, object.asByteArray());
    assertEquals("image/png", object.response().contentType());
  }

  @Test
  void aBucketThatDoesNotExistIsANonRetryable500() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/nobucket", "{\"a\":1}", "Content-Type", "application/json");
    assertEquals(500, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isEmpty(), response.headers()::toString);
    assertFalse(response.body().contains(MISSING_BUCKET), response::body);
  }

  @Test
  void stoppedS3IsARetryable503AndTheSameClientRecoversAfterTheRestart() throws Exception {
    // the connection's client exists and has pooled connections before the outage
    HttpResponse<String> first = Http.post(server.port(), "/webhook/restart", "{\"n\":1}", "Content-Type", "application/json");
    assertEquals(200, first.statusCode(), first::body);
    s3.stop();
    try {
      HttpResponse<String> down = Http.post(server.port(), "/webhook/restart", "{\"n\":2}", "Content-Type", "application/json");
      assertEquals(503, down.statusCode(), down::body);
      assertTrue(down.headers().firstValue("retry-after").isPresent(), down.headers()::toString);
    } finally {
      s3.start();
    }
    HttpResponse<String> back = Http.post(server.port(), "/webhook/restart", "{\"n\":3}", "Content-Type", "application/json");
    assertEquals(200, back.statusCode(), back::body);
    List<String> bodies = objects("restart").stream().map(object -> read(object.key()).asUtf8String())
        .map(text -> new JsonObject(text).getInteger("n").toString()).sorted().toList();
    assertEquals(List.of("1", "3"), bodies);
  }
}
