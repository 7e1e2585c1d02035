package io.cwm.testing;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver for tests: {@code POST /v1/traces} with an
 * {@code ExportTraceServiceRequest} in protobuf (what the SDK's OTLP exporter sends, gzip or not),
 * decoded with the protocol's own generated classes and kept as {@link Received} spans. Answers
 * as a collector does ({@code 200}, an empty {@code ExportTraceServiceResponse}); anything it
 * cannot decode is answered 400 and counted.
 */
public final class OtlpReceiver implements AutoCloseable {
  /** One span as received: ids in lower-case hex, the resource's service name, attributes as text. */
  public record Received(String service, String name, String kind, String traceId, String spanId, String parentSpanId,
      Map<String, String> attributes, List<Event> events, String status) {}

  /** A span event: its name and attributes as text. */
  public record Event(String name, Map<String, String> attributes) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private volatile int refused;
  private volatile int requests;

  private OtlpReceiver(Vertx vertx) throws Exception {
    this.vertx = vertx;
    this.server = vertx.createHttpServer().requestHandler(request -> {
      if (!request.path().equals("/v1/traces")) {
        request.response().setStatusCode(404).end();
        return;
      }
      request.body().onSuccess(body -> {
        requests++;
        try {
          byte[] bytes = body.getBytes();
          if ("gzip".equalsIgnoreCase(request.getHeader("Content-Encoding"))) {
            try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
              bytes = in.readAllBytes();
            }
          }
          collect(ExportTraceServiceRequest.parseFrom(bytes));
          request.response().putHeader("Content-Type", "application/x-protobuf")
              .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
        } catch (Exception undecodable) {
          refused++;
          request.response().setStatusCode(400).end();
        }
      });
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public static OtlpReceiver start() throws Exception {
    return new OtlpReceiver(Vertx.vertx());
  }

  /** The endpoint to give as {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<Received> spans() {
    return List.copyOf(spans);
  }

  /** Export requests received, and those that could not be decoded. */
  public int requests() {
    return requests;
  }

  public int refused() {
    return refused;
  }

  /** The spans whose {@code cwm.message_id} attribute is {@code messageId}. */
  public List<Received> ofMessage(String messageId) {
    return spans.stream().filter(span -> messageId.equals(span.attributes().get("cwm.message_id"))).toList();
  }

  private void collect(ExportTraceServiceRequest request) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans resource : request.getResourceSpansList()) {
      String service = text(resource.getResource().getAttributesList()).get("service.name");
      for (ScopeSpans scope : resource.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
          List<Event> events = new ArrayList<>();
          span.getEventsList().forEach(event -> events.add(new Event(event.getName(), text(event.getAttributesList()))));
          spans.add(new Received(service, span.getName(), span.getKind().name(),
              hex.formatHex(span.getTraceId().toByteArray()), hex.formatHex(span.getSpanId().toByteArray()),
              hex.formatHex(span.getParentSpanId().toByteArray()), text(span.getAttributesList()), events,
              span.getStatus().getCode().name()));
        }
      }
    }
  }

  private static Map<String, String> text(List<KeyValue> attributes) {
    Map<String, String> values = new LinkedHashMap<>();
    for (KeyValue attribute : attributes) {
      AnyValue value = attribute.getValue();
      String text = switch (value.getValueCase()) {
        case STRING_VALUE -> value.getStringValue();
        case INT_VALUE -> Long.toString(value.getIntValue());
        case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
        case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
        default -> value.toString();
      };
      values.put(attribute.getKey(), text);
    }
    return values;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
