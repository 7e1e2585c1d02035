package io.cwm.ingest;

import io.cwm.config.ChannelSpec;
import io.cwm.config.DedupSettings;
import io.cwm.config.FieldSelector;
import io.cwm.analytics.EventLog;
import io.cwm.buffer.BufferException;
import io.cwm.webhook.CredentialCleaner;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.chain.Dispatcher;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.webhook.WebhookEntry;
import io.cwm.config.WebhookIdRules;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.filter.Filter;
import io.cwm.validate.Validator;
import io.cwm.validate.WebhookRequest;
import io.cwm.trace.MessageLog;
import io.cwm.trace.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cwm.http.BoundedBody;
import io.cwm.http.ClientIp;

/**
 * {@code POST /webhook/{id}} and {@code POST /webhook/{namespace}/{id}}: id rules, lookup,
 * header limits and the header-only validators before the body is read; then the body (through
 * {@link BoundedBody}), the body validators in the spec's order, the entry's filters (a request
 * they drop is answered 200 with {@value #FILTERED_HEADER}), body parsing, credential cleanup, then
 * the module or chain — and only then the answer. 200 means the module (or every chain step)
 * succeeded; a failure is a 5xx so the sender retries and no message is lost.
 */
public final class WebhookHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);
  /** How long a relayed webhook waits for its buffer to store it. */
  static final long PUBLISH_TIMEOUT_MILLIS = 5_000;
  static final String OK_BODY = "{\"message\":\"200 OK\"}";
  /** The answer to a request the entry's filters did not deliver: 200, so the sender does not retry. */
  static final String FILTERED_BODY = "{\"message\":\"200 OK\",\"filtered\":true}";
  /** Names the filter rule that kept a request from delivery ({@code drop[0]}, {@code accept[1]}). */
  static final String FILTERED_HEADER = "X-Webhook-Filtered";
  private static final String HEAD = "cwm.webhook.head";
  private static final String FILTERED = "cwm.webhook.filtered";
  private static final io.opentelemetry.api.common.AttributeKey<String> PHASE =
      io.opentelemetry.api.common.AttributeKey.stringKey("cwm.validator.phase");
  private static final io.opentelemetry.api.common.AttributeKey<String> REASON =
      io.opentelemetry.api.common.AttributeKey.stringKey("cwm.reason");

  private final WebhookRoutes.Deps deps;
  private final Dispatcher dispatcher;
  private final MessageBuffer buffer;

  WebhookHandler(WebhookRoutes.Deps deps, Dispatcher dispatcher, MessageBuffer buffer) {
    this.deps = deps;
    this.dispatcher = dispatcher;
    this.buffer = buffer;
  }

  /**
   * The head phase: everything that needs no body (id rules, lookup, header limits, the declared
   * length, and the validators that read only headers) runs before a byte of the body is read, so
   * an unknown id or a client without credentials never makes the receiver buffer its body.
   * Continues to the body reader, then {@link #afterBody}.
   */
  @Override
  public void handle(RoutingContext context) {
    HttpServerRequest http = context.request();
    http.pause(); // the body waits until the head checks pass (some are asynchronous)
    Span span = deps.tracing().on() ? startIngest(context) : null;
    Head head;
    try {
      head = head(context, span);
    } catch (RuntimeException refused) {
      context.fail(refused); // the failure handler drains an unread body briefly and closes
      return;
    }
    context.put(HEAD, head);
    validate(head.entry().validators(), head.request(), true, span).onComplete(passed -> {
      if (passed.succeeded()) {
        context.next();
      } else {
        context.fail(passed.cause());
      }
    });
  }

  /** The body phase, after {@link BoundedBody} read it: body checks, parsing, cleanup, delivery. */
  public Handler<RoutingContext> afterBody() {
    return context -> {
      Head head = context.get(HEAD);
      Buffer body = context.body().buffer();
      WebhookRequest request = head.request().withBody(body == null ? Buffer.buffer() : body);
      Future<String> done;
      try {
        done = validate(head.entry().validators(), request, false, head.span()).compose(valid -> {
          String filtered = filtered(head.entry(), request);
          if (filtered != null) {
            context.put(FILTERED, filtered);
            if (head.span() != null) {
              head.span().setAttribute(Tracing.OUTCOME, "filtered: " + filtered);
            }
            return Future.succeededFuture(null);
          }
          return deliver(head, request);
        });
      } catch (RuntimeException failure) {
        done = Future.failedFuture(failure);
      }
      done.onComplete(answered -> {
        if (answered.succeeded()) {
          String filtered = head.entry().filter() == null ? null : context.get(FILTERED);
          if (filtered != null) {
            context.response().putHeader(FILTERED_HEADER, filtered)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(FILTERED_BODY);
            return;
          }
          if (answered.result() != null) {
            context.response().putHeader("X-Webhook-Message-Id", answered.result());
          }
          context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(OK_BODY);
        } else {
          context.fail(answered.cause());
        }
      });
    };
  }

  /**
   * What the head phase found, for the body phase; {@code config} is the snapshot the request
   * started on: a reload meanwhile does not change how it finishes. {@code span} is the request's
   * ingest span, null when tracing is off.
   */
  private record Head(ConfigSnapshot config, WebhookEntry entry, WebhookRequest request, String statsKey, Span span) {}

  /**
   * The ingest span (issue 19): a SERVER span, child of the sender's {@code traceparent} when it
   * sent one, ended with the answer's status whatever it is (also 404, 401 and a connection lost).
   */
  private Span startIngest(RoutingContext context) {
    HttpServerRequest http = context.request();
    Span span = deps.tracing().span("webhook.ingest", SpanKind.SERVER,
            Tracing.parent(http.getHeader("traceparent"), http.getHeader("tracestate")))
        .startSpan();
    if (!span.isRecording()) {
      return span; // not sampled: only its context travels on (attributes go on after the start: a
                   // builder's attributes cost an allocation even for a span the sampler drops)
    }
    span.setAttribute("http.request.method", http.method().name())
        .setAttribute("http.route", context.pathParam("namespace") == null ? "/webhook/:id" : "/webhook/:namespace/:id")
        .setAttribute("url.path", http.path())
        .setAttribute(Tracing.WEBHOOK_ID, context.pathParam("id"));
    context.addEndHandler(ended -> {
      int status = context.response().getStatusCode();
      span.setAttribute("http.response.status_code", status);
      if (status >= 500 || ended.failed()) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    });
    return span;
  }

  private Head head(RoutingContext context, Span span) {
    HttpServerRequest http = context.request();
    String namespace = context.pathParam("namespace");
    if (namespace != null && !WebhookIdRules.validNamespace(namespace)) {
      throw CwmException.badRequest("Invalid namespace format");
    }
    String requested = context.pathParam("id");
    String idProblem = WebhookIdRules.check(requested);
    if (idProblem != null) {
      throw CwmException.badRequest(idProblem);
    }
    String id = requested.trim();
    ConfigSnapshot config = deps.config().current();
    WebhookEntry entry = config.find(namespace, id);
    if (entry == null) {
      throw new CwmException(FailureCode.NOT_FOUND, "Webhook ID not found");
    }
    Map<String, String> headers = HeaderGuard.check(http.headers());
    WebhookRequest request = new WebhookRequest(http.method().name(), http.path(), id, headers,
        query(context), null, ClientIp.peer(http));
    return new Head(config, entry, request, namespace == null ? id : namespace + "/" + id, span);
  }

  /**
   * Runs the validators in the spec's order. Head phase: the checks that need no body, and the head
   * part of those that do; body phase: the checks that need the body.
   */
  private Future<Void> validate(List<Validator> validators, WebhookRequest request, boolean headPhase, Span span) {
    Future<Void> outcome = Future.succeededFuture();
    for (Validator validator : validators) {
      boolean needsBody = validator.needsBody(request);
      if (!headPhase && !needsBody) {
        continue;
      }
      outcome = outcome.compose(passed -> {
        Future<Void> checked = (!headPhase ? validator.validate(request)
            : needsBody ? validator.validateHead(request) : validator.validate(request))
            .onFailure(failure -> deps.metrics().validationFailed(validator.key(), failure));
        return span == null || !span.isRecording() ? checked
            : checked.andThen(done -> validated(span, validator, headPhase, needsBody, done));
      });
    }
    return outcome;
  }

  /**
   * One event per check on the ingest span: which validator, which phase, passed or refused and,
   * refused, the client-facing reason (the 401's text: never a secret).
   */
  private static void validated(Span span, Validator validator, boolean headPhase, boolean needsBody,
      io.vertx.core.AsyncResult<Void> done) {
    io.opentelemetry.api.common.AttributesBuilder attributes = Attributes.builder()
        .put(Tracing.VALIDATOR, validator.key())
        .put(PHASE, headPhase && needsBody ? "head" : headPhase ? "request" : "body")
        .put(Tracing.OUTCOME, done.succeeded() ? "passed" : "refused");
    if (done.failed()) {
      attributes.put(REASON, String.valueOf(done.cause().getMessage()));
    }
    span.addEvent("validator " + validator.key(), attributes.build());
  }

  /**
   * The entry's filters on the authenticated request, before cleanup (rules see the headers and body
   * as received): the rule that keeps it from delivery, or null. Without filters, a null check. A
   * filtered request is counted ({@code cwm_webhooks_filtered_total}), never queued nor delivered.
   */
  private String filtered(WebhookEntry entry, WebhookRequest request) {
    Filter filter = entry.filter();
    if (filter == null) {
      return null;
    }
    String reason = filter.dropReason(request.headers(), entry.blob() ? null : request.json());
    if (reason != null) {
      deps.metrics().webhookFiltered(request.webhookId());
      LOG.debug("[webhook_id: {}] filtered by {}: answered 200, not queued nor delivered", request.webhookId(),
          reason);
    }
    return reason;
  }

  private Future<String> deliver(Head head, WebhookRequest request) {
    WebhookEntry entry = head.entry();
    String statsKey = head.statsKey();
    Object payload = entry.blob() ? request.body() : request.json();
    Object cleanPayload = entry.cleaner().cleanPayload(payload);
    Map<String, String> cleanHeaders = entry.cleaner().cleanHeaders(request.headers());
    String channel = entry.relayChannel();
    if (channel != null) {
      return relay(head.config().channels().get(channel), entry, request, cleanPayload, cleanHeaders, statsKey,
          head.span());
    }
    if (deps.tasksInFlight().incrementAndGet() > deps.maxConcurrentTasks()) {
      deps.tasksInFlight().decrementAndGet();
      return Future.failedFuture(new CwmException(FailureCode.BUSY, "Server busy, retry later", 1));
    }
    Span moduleSpan = head.span() == null || !head.span().isRecording() ? null : deps.tracing()
        .span("module.deliver", SpanKind.INTERNAL, Tracing.context(head.span())).startSpan();
    if (moduleSpan != null) {
      moduleSpan.setAttribute(Tracing.WEBHOOK_ID, request.webhookId())
          .setAttribute("cwm.modules", String.join(",", entry.steps().stream().map(step -> step.module()).toList()));
    }
    return dispatcher.dispatch(entry, request.webhookId(), cleanPayload, cleanHeaders, null)
        .onComplete(done -> {
          if (moduleSpan != null) {
            ended(moduleSpan, done.succeeded() ? "delivered" : "failed: " + done.cause().getMessage(), done.failed());
          }
          deps.tasksInFlight().decrementAndGet();
          if (done.succeeded()) {
            deps.stats().record(statsKey);
            logEvent(entry, request, statsKey, cleanPayload, cleanHeaders);
          } else {
            LOG.warn("[webhook_id: {}] delivery failed: {}", request.webhookId(), done.cause().getMessage());
          }
        })
        .map(done -> null);
  }

  /**
   * webhook_connect: store the message in its channel's buffer and answer 200 only once the
   * buffer has it, so an answered message is never dropped. Full queue, unavailable buffer and
   * oversized messages are refused (503 / 413) so the sender retries or knows. A buffer that has
   * not answered within {@value #PUBLISH_TIMEOUT_MILLIS} ms counts as unavailable (503): a
   * healthy one answers in milliseconds, and one behind a network that silently drops packets
   * would otherwise hold the sender (and a connection of ours) until its own timeout. The store
   * may still complete later; the sender's retry is then a duplicate, never a loss.
   */
  private Future<String> relay(ChannelSpec channel, WebhookEntry entry, WebhookRequest request, Object payload,
      Map<String, String> headers, String statsKey, Span span) {
    ChannelSpec.Queue queue = channel.queue(entry.id());
    byte[] rawBody = queue.rawBody() || entry.blob() ? request.body().getBytes() : null;
    Object relayed = entry.blob() ? blobPayload(rawBody) : payload;
    Envelope envelope = Envelope.create(channel.name(), request.webhookId(),
        new JsonObject(new LinkedHashMap<>(headers)), relayed, deps.clock().instant(), queue.ttlSeconds());
    Span write = null;
    if (span != null) {
      // the buffer write's context travels in the envelope: every delivery attempt is its child
      write = deps.tracing().span("buffer.write", SpanKind.PRODUCER, Tracing.context(span)).startSpan();
      if (write.isRecording()) {
        span.setAttribute(Tracing.MESSAGE_ID, envelope.messageId()).setAttribute(Tracing.CHANNEL, channel.name());
        write.setAttribute(Tracing.MESSAGE_ID, envelope.messageId())
            .setAttribute(Tracing.WEBHOOK_ID, request.webhookId())
            .setAttribute(Tracing.CHANNEL, channel.name());
      }
      envelope = envelope.withExtras(envelope.extras().withTraceparent(Tracing.traceparent(write)));
    }
    Span writeSpan = write;
    if (channel.ordered()) {
      // read from what is stored (cleaned), so the connector and the buffer see the same key
      String orderingKey = FieldSelector.text(channel.orderingKey().find(headers, relayed));
      if (orderingKey != null) {
        envelope = envelope.withExtras(envelope.extras().withOrderingKey(orderingKey));
      }
    }
    Envelope keyed = withDedupKey(entry, request, envelope);
    Future<Envelope> publishing;
    if (queue.rawBody()) {
      // the bytes the validators saw, untouched: a local app re-checks the sender's signature over them
      publishing = buffer.publish(channel, keyed.withExtras(keyed.extras().withRawBody(rawBody)))
          .recover(failure -> tooLarge(failure) ? withoutRawBody(channel, keyed, failure) : Future.failedFuture(failure));
    } else {
      publishing = buffer.publish(channel, keyed);
    }
    return publishing.timeout(PUBLISH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.failedFuture(failure instanceof TimeoutException
            ? new BufferException(BufferException.Reason.UNAVAILABLE, "message buffer did not answer in time")
            : failure))
        .andThen(done -> {
          if (writeSpan != null && writeSpan.isRecording()) {
            boolean duplicate = done.succeeded() && MessageBuffer.isDuplicate(keyed, done.result());
            if (duplicate) {
              writeSpan.setAttribute("cwm.duplicate_of", done.result().messageId());
            }
            ended(writeSpan, done.failed() ? "refused: " + done.cause().getMessage() : duplicate ? "duplicate" : "stored",
                done.failed());
          }
        })
        .map(stored -> {
      if (MessageBuffer.isDuplicate(keyed, stored)) {
        // the first message's id, stored once: the sender's retry is answered as the first was
        deps.metrics().duplicateDropped(entry.id());
        try (MessageLog scope = MessageLog.of(stored.messageId(), request.webhookId())) {
          LOG.debug("[webhook_id: {}, message_id: {}] duplicate dropped", request.webhookId(), stored.messageId());
        }
        return stored.messageId();
      }
      deps.stats().record(statsKey);
      logEvent(entry, request, statsKey, payload, headers);
      return stored.messageId();
    });
  }

  /** Ends {@code span} with its outcome; a failure marks it as an error. */
  private static void ended(Span span, String outcome, boolean failed) {
    span.setAttribute(Tracing.OUTCOME, outcome);
    if (failed) {
      span.setStatus(StatusCode.ERROR, outcome);
    }
    span.end();
  }

  private static boolean tooLarge(Throwable failure) {
    return failure instanceof BufferException refused && refused.reason() == BufferException.Reason.TOO_LARGE;
  }

  /**
   * A message whose raw body would take it over the buffer's message limit (the body travels twice,
   * once as base64: bodies from about 4 MiB) is stored without it rather than refused: it was
   * relayed before raw bodies existed, and a sender's retry of a 413 would never succeed. Logged,
   * so the missing raw body (and the signature a local app cannot check) has an explanation.
   */
  private Future<Envelope> withoutRawBody(ChannelSpec channel, Envelope envelope, Throwable refused) {
    try (MessageLog scope = MessageLog.of(envelope.messageId(), envelope.webhookId())) {
      LOG.warn("[channel: {}, webhook_id: {}, message_id: {}] message too large with its raw body: stored without it",
          channel.name(), envelope.webhookId(), envelope.messageId());
    }
    return buffer.publish(channel, envelope);
  }

  /**
   * The {@code payload} of a relayed {@code data_type: blob} body, for readers of the envelope that
   * do not read {@code raw_body} (a Python connector, a module): the body as text when it is valid
   * UTF-8 (a Python connector then posts exactly these bytes), else its standard base64.
   */
  static String blobPayload(byte[] body) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException notText) {
      return Base64.getEncoder().encodeToString(body);
    }
  }

  /**
   * The envelope with its idempotency key ({@code Envelope.Extras.dedupKey}) when the entry has a
   * {@code dedup}: read from the request's headers or its JSON payload as received (before the
   * credential cleanup). A message without the key is relayed as it is, not deduplicated, and counted.
   */
  private Envelope withDedupKey(WebhookEntry entry, WebhookRequest request, Envelope envelope) {
    DedupSettings dedup = entry.dedup();
    if (dedup == null) {
      return envelope;
    }
    Object payload = entry.blob() ? null : request.json();
    String key = dedup.recordKeyOf(FieldSelector.text(dedup.key().find(request.headers(), payload)));
    if (key == null) {
      deps.metrics().dedupKeyMissing(entry.id());
      return envelope;
    }
    return envelope.withExtras(envelope.extras().withDedupKey(key));
  }

  /**
   * Queues an accepted webhook for the ClickHouse event log, when it is on (a null check when it
   * is off). The log always gets credential-masked data: the entry's cleaned data, or, for an
   * entry with {@code credential_cleanup} disabled, the default cleanup of the raw data.
   */
  private void logEvent(WebhookEntry entry, WebhookRequest request, String statsKey, Object cleanPayload,
      Map<String, String> cleanHeaders) {
    EventLog eventLog = deps.eventLog();
    if (eventLog == null) {
      return;
    }
    Object payload = cleanPayload;
    Map<String, String> headers = cleanHeaders;
    if (!entry.cleaner().enabled()) {
      payload = CredentialCleaner.DEFAULT.cleanPayload(payload);
      headers = CredentialCleaner.DEFAULT.cleanHeaders(headers);
    }
    eventLog.offer(new EventLog.Event(statsKey, deps.clock().millis() / 1000, payload, headers));
  }

  private static Map<String, List<String>> query(RoutingContext context) {
    if (context.request().query() == null) {
      return Map.of();
    }
    MultiMap params = context.queryParams();
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (Map.Entry<String, String> param : params) {
      query.computeIfAbsent(param.getKey(), key -> new ArrayList<>()).add(param.getValue());
    }
    return query;
  }
}
