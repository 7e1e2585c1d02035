package io.cwm.connector.http;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The <a href="https://www.standardwebhooks.com">Standard Webhooks</a> signature a target with
 * {@code "sign"} gets: {@code webhook-id} (the message id: the same on every attempt and
 * redelivery, so the target can deduplicate), {@code webhook-timestamp} (seconds, at this attempt)
 * and {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}.
 */
final class StandardWebhooks {
  static final String ID = "webhook-id";
  static final String TIMESTAMP = "webhook-timestamp";
  static final String SIGNATURE = "webhook-signature";
  private static final String ALGORITHM = "HmacSHA256";

  private StandardWebhooks() {}

  /** Sets the three headers on {@code headers} (replacing any the original request had). */
  static void sign(MultiMap headers, byte[] key, String messageId, long epochSeconds, Buffer body) {
    String timestamp = Long.toString(epochSeconds);
    headers.set(ID, messageId);
    headers.set(TIMESTAMP, timestamp);
    headers.set(SIGNATURE, "v1," + signature(key, messageId, timestamp, body.getBytes()));
  }

  /** base64 of HMAC-SHA256({@code key}, {@code id + "." + timestamp + "." + body}). */
  static String signature(byte[] key, String messageId, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e); // every Java 17 runtime has it
    }
  }
}
