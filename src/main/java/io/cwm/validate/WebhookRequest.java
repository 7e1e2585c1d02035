package io.cwm.validate;

import io.cwm.error.CwmException;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;

/**
 * What validators see of one webhook request: plain data, no Vert.x request object, so that
 * validators can be tested without a server.
 *
 * @param method HTTP method, upper case
 * @param path request path (no query), e.g. {@code /webhook/github}
 * @param webhookId the requested webhook id (also when the {@code default} entry serves it)
 * @param headers header names lower-cased; a repeated header keeps its last value
 * @param query query parameters in order of appearance (values percent-decoded)
 * @param body raw body bytes; null while only the head has been read (see {@link Validator#needsBody})
 * @param peerIp TCP peer address, or null when unknown
 */
public record WebhookRequest(
    String method,
    String path,
    String webhookId,
    Map<String, String> headers,
    Map<String, List<String>> query,
    Buffer body,
    String peerIp,
    ParsedBody parsed) {

  public WebhookRequest(String method, String path, String webhookId, Map<String, String> headers,
      Map<String, List<String>> query, Buffer body, String peerIp) {
    this(method, path, webhookId, headers, query, body, peerIp, new ParsedBody());
  }

  /** The same request with its body, once it has been read. */
  public WebhookRequest withBody(Buffer body) {
    return new WebhookRequest(method, path, webhookId, headers, query, body, peerIp, new ParsedBody());
  }

  public String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }

  /** Last value of a query parameter, or null. */
  public String queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
  }

  /**
   * The body parsed as JSON (parsed at most once per request and shared by the validators and
   * the ingest step).
   *
   * @throws CwmException 400 when the body is not acceptable JSON
   */
  public Object json() {
    return parsed.get(body, headers.get("content-type"));
  }

  /** Memo of the parsed body. */
  public static final class ParsedBody {
    private boolean done;
    private Object value;
    private CwmException failure;

    Object get(Buffer body, String contentType) {
      if (!done) {
        try {
          value = JsonBodyParser.parse(body, contentType);
        } catch (CwmException e) {
          failure = e;
        }
        done = true;
      }
      if (failure != null) {
        throw failure;
      }
      return value;
    }
  }
}
