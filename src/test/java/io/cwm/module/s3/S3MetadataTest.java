package io.cwm.module.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request headers as S3 user metadata. */
class S3MetadataTest {

  @Test
  void namesAreLowerCasedWithUnderscores() {
    S3Metadata.Result result = S3Metadata.of(Map.of("X-GitHub-Event", "push", "content-type", "application/json"));
    assertEquals(Map.of("x_github_event", "push", "content_type", "application/json"), result.metadata());
    assertEquals(0, result.dropped());
  }

  @Test
  void valuesAreCutTo1024Characters() {
    String value = S3Metadata.of(Map.of("x-long", "v".repeat(1500))).metadata().get("x_long");
    assertEquals(1024, value.length());
  }

  @Test
  void nonAsciiValuesAreRfc2047Encoded() {
    String value = S3Metadata.of(Map.of("x-name", "Zoë\r\nX")).metadata().get("x_name");
    assertEquals("=?UTF-8?B?" + Base64.getEncoder().encodeToString("Zoë\r\nX".getBytes(StandardCharsets.UTF_8)) + "?=",
        value);
  }

  @Test
  void namesS3CannotCarryAreLeftOut() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x:weird", "1");
    headers.put("x!bang", "2");
    headers.put("x-ok", "3");
    S3Metadata.Result result = S3Metadata.of(headers);
    assertEquals(Map.of("x_ok", "3"), result.metadata());
    assertEquals(2, result.dropped());
  }

  @Test
  void metadataStaysWithinTheTwoKilobyteLimit() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("a-first", "x".repeat(1000));
    headers.put("b-second", "y".repeat(1000));
    headers.put("c-third", "z".repeat(1000));
    headers.put("d-small", "ok");
    S3Metadata.Result result = S3Metadata.of(headers);
    assertEquals(1, result.dropped());
    assertEquals(3, result.metadata().size());
    assertTrue(result.metadata().containsKey("d_small"));
    int total = result.metadata().entrySet().stream()
        .mapToInt(e -> e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
    assertTrue(total <= S3Metadata.MAX_TOTAL_BYTES, () -> "total " + total);
  }
}
