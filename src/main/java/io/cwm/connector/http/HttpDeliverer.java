package io.cwm.connector.http;

import io.cwm.trace.MessageLog;

import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.Deliverer;
import io.cwm.connector.Delivery;
import io.cwm.connector.Outcome;
import io.cwm.connector.Target;
import io.cwm.net.HostLookup;
import io.cwm.net.IpAddresses;
import io.cwm.net.TargetAddressPolicy;
import io.cwm.net.TargetUrl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP mode of the connector (spec §8.10): posts each message to its target with retries, and
 * turns the result into an {@link Outcome}.
 *
 * <p>Per attempt: the target host is resolved (on a worker thread) and every address checked
 * against {@link TargetAddressPolicy} (refused → {@code NACK_DROP}, nothing sent); the request
 * goes to the checked address (no second lookup, so DNS rebinding cannot swap it) with the URL's
 * host kept for the Host header, SNI and certificate host name check. One deadline of
 * {@code timeout_seconds} bounds the lookup, the connection, the request and the response. Redirects
 * are not followed. The response body is read and discarded up to {@value #MAX_RESPONSE_BYTES}
 * bytes; beyond that the connection is reset.
 *
 * <p>Attempt results: 2xx success; 408, 429, 3xx, 5xx, timeout, connection, TLS and protocol
 * errors retryable; any other 4xx final. Pauses between attempts and the back-off before a
 * {@code retry:true} nack come from {@link RetrySchedule}; a {@code Retry-After} lengthens the
 * pause, and one beyond the 60 s cap ends the attempts at once (the nack waits 60 s).
 *
 * <p>One pooled HTTP/1.1 client per deliverer ({@code max_concurrent_requests} connections per
 * address). Never logs payloads, header values, URL paths or queries.
 */
public final class HttpDeliverer implements Deliverer {
  /** Bytes of a response body read (and thrown away) before the connection is reset. */
  public static final int MAX_RESPONSE_BYTES = 64 * 1024;
  /**
   * Idle keep-alive connections are closed after this many seconds: below the 5 s keep-alive
   * of common local servers (uvicorn, Node), so a request rarely meets a connection the target
   * is closing.
   */
  static final int KEEP_ALIVE_SECONDS = 4;
  private static final double DEFAULT_TIMEOUT_SECONDS = 30;
  private static final Logger LOG = LoggerFactory.getLogger(HttpDeliverer.class);
  private static final Pattern METHOD = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final Vertx vertx;
  private final ConnectorConfig config;
  private final HttpClientAgent client;
  /** Pauses between attempts in progress, woken early by close(). */
  private final Map<Promise<Void>, Context> pauses = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public HttpDeliverer(Vertx vertx, ConnectorConfig config) {
    this.vertx = vertx;
    this.config = config;
    HttpClientOptions options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_1_1)
        .setKeepAlive(true)
        .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
        .setDecompressionSupported(false);
    TargetTls.apply(options, config);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(Math.max(1, config.maxConcurrentRequests()));
    this.client = vertx.createHttpClient(options, pool);
  }

  /**
   * Start-time check of a target URL (scheme, syntax, and addresses that can be judged without
   * DNS: IP literals, localhost and cloud metadata names, non-canonical numeric hosts). Returns
   * the problems, empty when the URL is acceptable; messages never contain the path or query.
   * Host names are checked again, resolved, before every request.
   */
  public static List<String> checkTargetUrl(String url, boolean allowPrivateTargets) {
    return TargetAddressPolicy.checkUrl(url, allowPrivateTargets);
  }

  @Override
  public Future<Outcome> deliver(Delivery delivery) {
    return deliver(delivery, false);
  }

  /** Issue 16: the probe of an open circuit makes one attempt (its failure waits for the next probe). */
  @Override
  public Future<Outcome> probe(Delivery delivery) {
    return deliver(delivery, true);
  }

  private Future<Outcome> deliver(Delivery delivery, boolean oneAttempt) {
    Context context = vertx.getOrCreateContext();
    Promise<Outcome> outcome = Promise.promise();
    // one context (one thread) for the whole delivery: attempt state needs no locking
    if (Vertx.currentContext() == context) {
      start(delivery, context, oneAttempt).onComplete(outcome);
    } else {
      context.runOnContext(v -> start(delivery, context, oneAttempt).onComplete(outcome));
    }
    return outcome.future();
  }

  private Future<Outcome> start(Delivery delivery, Context context, boolean oneAttempt) {
    Future<Outcome> outcome;
    try {
      outcome = plan(delivery, context, oneAttempt);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.recover(failure -> {
      try (MessageLog scope = MessageLog.of(delivery.messageId(), delivery.webhookId())) {
        LOG.error("[message_id: {}, webhook_id: {}] internal error while delivering", delivery.messageId(),
            delivery.webhookId(), failure);
      }
      return Future.succeededFuture(Outcome.retry("internal error: " + failure.getClass().getSimpleName(),
          RetrySchedule.MIN_NACK_BACKOFF_MILLIS));
    });
  }

  private Future<Outcome> plan(Delivery delivery, Context context, boolean oneAttempt) {
    try (MessageLog scope = MessageLog.of(delivery.messageId(), delivery.webhookId())) {
      return planned(delivery, context, oneAttempt);
    }
  }

  private Future<Outcome> planned(Delivery delivery, Context context, boolean oneAttempt) {
    if (closed) {
      return Future.succeededFuture(Outcome.retry("deliverer closed", RetrySchedule.MIN_NACK_BACKOFF_MILLIS));
    }
    String webhookId = delivery.webhookId();
    if (webhookId == null || webhookId.isEmpty()) {
      LOG.warn("[message_id: {}] message without webhook_id: dead letter", delivery.messageId());
      return Future.succeededFuture(Outcome.drop("no webhook_id"));
    }
    Target target = config.targetFor(webhookId);
    if (target == null) {
      LOG.warn("[message_id: {}, webhook_id: {}] no target for this webhook id: dead letter",
          delivery.messageId(), webhookId);
      return Future.succeededFuture(Outcome.drop("no target for webhook_id"));
    }
    TargetUrl url;
    try {
      url = parsed(target.url());
    } catch (TargetUrl.InvalidUrlException e) {
      LOG.warn("[message_id: {}, webhook_id: {}] target url unusable ({}): dead letter", delivery.messageId(),
          webhookId, e.getMessage());
      return Future.succeededFuture(Outcome.drop("invalid target url: " + e.getMessage()));
    }
    String method = target.method() == null ? "POST" : target.method();
    if (!METHOD.matcher(method).matches()) {
      LOG.warn("[message_id: {}, webhook_id: {}] target method is not an HTTP token: dead letter",
          delivery.messageId(), webhookId);
      return Future.succeededFuture(Outcome.drop("invalid target method"));
    }
    double timeoutSeconds = target.timeoutSeconds() > 0 ? target.timeoutSeconds() : DEFAULT_TIMEOUT_SECONDS;
    Run run = new Run(delivery, target, url, HttpMethod.valueOf(method), DeliveryRequest.body(delivery),
        Math.max(1, (long) (timeoutSeconds * 1000)), new RetrySchedule(target), context, oneAttempt);
    return attemptFrom(run, 1);
  }

  /** Target URLs parsed once (a handful per connector), not per delivery. */
  private final Map<String, TargetUrl> parsedUrls = new java.util.concurrent.ConcurrentHashMap<>();

  private TargetUrl parsed(String url) {
    TargetUrl known = parsedUrls.get(url);
    if (known == null) {
      known = TargetUrl.parse(url); // throws for an unusable URL: nothing is cached then
      parsedUrls.put(url, known);
    }
    return known;
  }

  /** Everything one delivery's attempts share. */
  private record Run(Delivery delivery, Target target, TargetUrl url, HttpMethod method, Buffer body,
      long timeoutMillis, RetrySchedule schedule, Context context, boolean oneAttempt) {
    int attempts() {
      return oneAttempt ? 1 : Math.max(1, target.attempts());
    }
  }

  private Future<Outcome> attemptFrom(Run run, int attempt) {
    long started = System.nanoTime();
    return attempt(run, attempt).compose(result -> {
      try (MessageLog scope = MessageLog.of(run.delivery().messageId(), run.delivery().webhookId())) {
        return attempted(run, attempt, result, started);
      }
    });
  }

  /** What one attempt's result means: the outcome, or the next attempt after its pause. Logs with the message's MDC. */
  private Future<Outcome> attempted(Run run, int attempt, AttemptResult result, long started) {
    {
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      Delivery delivery = run.delivery();
      String where = run.url().forLog();
      switch (result.kind()) {
        case SUCCESS:
          LOG.debug("[message_id: {}, webhook_id: {}] delivered to {}: {} (attempt {}/{}, {} ms)",
              delivery.messageId(), delivery.webhookId(), where, result.reason(), attempt, run.attempts(), millis);
          return Future.succeededFuture(Outcome.ack());
        case REFUSED:
          LOG.warn("[message_id: {}, webhook_id: {}] target address not allowed, no request sent to {}: {}",
              delivery.messageId(), delivery.webhookId(), where, result.reason());
          return Future.succeededFuture(Outcome.drop("target address not allowed: " + result.reason()));
        case FINAL:
          LOG.warn("[message_id: {}, webhook_id: {}] {} refused it: {} (attempt {}/{}, {} ms): dead letter",
              delivery.messageId(), delivery.webhookId(), where, result.reason(), attempt, run.attempts(), millis);
          return Future.succeededFuture(Outcome.drop(result.reason() + " from target"));
        default:
          break;
      }
      LOG.warn("[message_id: {}, webhook_id: {}] attempt {}/{} to {} failed: {} ({} ms)", delivery.messageId(),
          delivery.webhookId(), attempt, run.attempts(), where, result.reason(), millis);
      boolean waitTooLong = result.retryAfterMillis() > RetrySchedule.MAX_PAUSE_MILLIS;
      if (attempt >= run.attempts() || waitTooLong) {
        long backoff = run.schedule().nackBackoffAfter(attempt, result.retryAfterMillis());
        String spent = attempt + (attempt == 1 ? " attempt" : " attempts");
        return Future.succeededFuture(Outcome.retry(result.reason() + " (" + spent
            + (waitTooLong ? ", target asked to retry later" : "") + ")", backoff));
      }
      long pause = run.schedule().pauseAfter(attempt, result.retryAfterMillis());
      return pause(run.context(), pause).compose(v -> closed
          ? Future.succeededFuture(Outcome.retry("deliverer closed", RetrySchedule.MIN_NACK_BACKOFF_MILLIS))
          : attemptFrom(run, attempt + 1));
    }
  }

  private Future<Void> pause(Context context, long millis) {
    if (millis <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    pauses.put(done, context);
    if (closed) { // close() may have run before the put
      pauses.remove(done);
      return Future.succeededFuture();
    }
    vertx.setTimer(millis, id -> done.tryComplete());
    return done.future().andThen(ar -> pauses.remove(done));
  }

  /** What one attempt came to. */
  record AttemptResult(Kind kind, String reason, long retryAfterMillis) {
    enum Kind { SUCCESS, RETRYABLE, FINAL, REFUSED }

    static AttemptResult retryable(String reason) {
      return new AttemptResult(Kind.RETRYABLE, reason, -1);
    }

    /** 2xx success; 408/429 retryable; other 4xx final; the rest (3xx, 5xx, 1xx) retryable. */
    static AttemptResult ofStatus(int status, String retryAfter) {
      String reason = "HTTP " + status;
      if (status >= 200 && status < 300) {
        return new AttemptResult(Kind.SUCCESS, reason, -1);
      }
      if (status >= 400 && status < 500 && status != 408 && status != 429) {
        return new AttemptResult(Kind.FINAL, reason, -1);
      }
      return new AttemptResult(Kind.RETRYABLE, reason, RetrySchedule.retryAfterMillis(retryAfter, Instant.now()));
    }
  }

  /** State of one attempt; touched only on the delivery's context. */
  private static final class Attempt {
    final Promise<AttemptResult> done = Promise.promise();
    HttpClientRequest request;
    AttemptResult fromStatus;

    boolean finished() {
      return done.future().isComplete();
    }

    void finish(AttemptResult result) {
      done.tryComplete(result);
    }

    void abort() {
      if (request != null) {
        request.reset();
      }
    }
  }

  private Future<AttemptResult> attempt(Run run, int number) {
    Attempt attempt = new Attempt();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(run.timeoutMillis());
    long timer = vertx.setTimer(run.timeoutMillis(), id -> {
      // the status is known when only the body is late: it decides; the connection is dropped
      attempt.finish(attempt.fromStatus != null ? attempt.fromStatus
          : AttemptResult.retryable("timeout after " + run.timeoutMillis() + " ms"));
      attempt.abort();
    });
    resolve(run.url().host()).compose(addresses -> {
      if (attempt.finished()) {
        return Future.succeededFuture();
      }
      for (byte[] address : addresses) {
        String refusal = TargetAddressPolicy.refusal(address, config.allowPrivateTargets());
        if (refusal != null) {
          attempt.finish(new AttemptResult(AttemptResult.Kind.REFUSED, refusal, -1));
          return Future.succeededFuture();
        }
      }
      long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      RequestOptions options = new RequestOptions()
          .setServer(SocketAddress.inetSocketAddress(run.url().port(), IpAddresses.format(addresses.get(0))))
          .setHost(run.url().host())
          .setPort(run.url().port())
          .setSsl(run.url().ssl())
          .setMethod(run.method())
          .setURI(run.url().requestUri())
          .setHeaders(DeliveryRequest.headers(run.target(), run.url(), run.delivery(), number, run.body(),
              Instant.now().getEpochSecond()))
          .setFollowRedirects(false)
          .setConnectTimeout(remaining);
      if (run.url().host().indexOf(':') >= 0 && !options.getHeaders().contains("Host")) {
        options.putHeader("Host", run.url().hostHeader()); // Vert.x would write an IPv6 host unbracketed
      }
      return client.request(options).compose(request -> {
        attempt.request = request;
        if (attempt.finished()) {
          request.reset();
          return Future.succeededFuture();
        }
        return request.send(run.body()).onSuccess(response -> onResponse(attempt, request, response));
      });
    }).onFailure(failure -> attempt.finish(AttemptResult.retryable(describe(failure))));
    return attempt.done.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  private static void onResponse(Attempt attempt, HttpClientRequest request, HttpClientResponse response) {
    AttemptResult result = AttemptResult.ofStatus(response.statusCode(), response.getHeader("Retry-After"));
    attempt.fromStatus = result;
    long[] read = {0};
    response.handler(chunk -> {
      if (attempt.finished()) {
        return;
      }
      read[0] += chunk.length();
      if (read[0] > MAX_RESPONSE_BYTES) {
        // not worth reading (nor keeping the slot for): drop the connection
        attempt.finish(result);
        request.reset();
      }
    });
    response.exceptionHandler(failure -> attempt.finish(result));
    response.endHandler(v -> attempt.finish(result));
  }

  private Future<List<byte[]>> resolve(String host) {
    return HostLookup.resolve(vertx, host);
  }

  private static String describe(Throwable failure) {
    if (failure instanceof UnknownHostException) {
      return "cannot resolve target host";
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = brief(failure);
    // "Failed to create SSL connection" says little; the root cause says which check failed
    return root == failure ? text : printable(text + " (" + brief(root) + ")");
  }

  private static String brief(Throwable failure) {
    String message = failure.getMessage();
    String kind = failure.getClass().getSimpleName();
    return message == null || message.isBlank() ? kind : kind + ": " + printable(message);
  }

  /** A parse error quotes the target's bytes: keep the log line one short printable line. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
    for (int i = 0; i < text.length() && out.length() < 200; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    pauses.forEach((pause, context) -> context.runOnContext(v -> pause.tryComplete()));
    return client.close();
  }
}
