package io.cwm.trace;

import io.cwm.config.Env;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry tracing of one process (issue 19): the SDK as the standard {@code OTEL_*} variables
 * configure it (autoconfigure: exporter, endpoint, headers, sampler, resource, batch processor),
 * or {@link #OFF} when none asks for traces. Off, every caller tests {@link #on()} once and does
 * nothing else: no span, no context, no allocation on the hot path.
 *
 * <p>Spans are started with an explicit parent ({@link #parent}) and ended by their owner, never
 * made "current": a webhook's work hops between event loops, verticles, the buffer and another
 * process, so the trace context travels with the data (the request, the envelope's
 * {@code traceparent}, the frame, the delivery) instead of in a thread or context local.
 *
 * <p>Differences from the SDK's defaults: traces only (metrics and logs exporters are {@code none}
 * unless set: cwm's metrics are Prometheus'), OTLP over {@code http/protobuf} unless
 * {@code OTEL_EXPORTER_OTLP_PROTOCOL} says otherwise, and the service name is {@code cwm-receiver}
 * or {@code cwm-connector} unless {@code OTEL_SERVICE_NAME} is set.
 */
public final class Tracing implements AutoCloseable {
  /** Tracing off: {@link #on()} is false and nothing else may be called. */
  public static final Tracing OFF = new Tracing(null, null, "off");

  public static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("cwm.message_id");
  public static final AttributeKey<String> WEBHOOK_ID = AttributeKey.stringKey("cwm.webhook_id");
  public static final AttributeKey<String> CHANNEL = AttributeKey.stringKey("cwm.channel");
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("cwm.outcome");
  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("cwm.delivery.attempt");
  public static final AttributeKey<String> CONNECTION_ID = AttributeKey.stringKey("cwm.connection_id");
  public static final AttributeKey<String> CONNECTOR_ID = AttributeKey.stringKey("cwm.connector_id");
  public static final AttributeKey<String> VALIDATOR = AttributeKey.stringKey("cwm.validator");

  /** Variables that turn tracing on (unless {@code OTEL_SDK_DISABLED=true} or the exporter is {@code none}). */
  static final List<String> SWITCHES = List.of("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;
  private final String description;

  private Tracing(OpenTelemetrySdk sdk, Tracer tracer, String description) {
    this.sdk = sdk;
    this.tracer = tracer;
    this.description = description;
  }

  /**
   * Tracing as {@code env}'s {@code OTEL_*} variables configure it, or {@link #OFF} when none of
   * {@link #SWITCHES} is set. Throws {@link IllegalArgumentException} with the SDK's reason when
   * the variables are set but wrong (an unknown exporter or sampler, a bad endpoint), so start-up
   * fails instead of silently tracing nothing.
   *
   * @param role {@code receiver} or {@code connector}: the default service name is {@code cwm-<role>}
   */
  public static Tracing fromEnv(Env env, String role) {
    Map<String, String> otel = env.startingWith("OTEL_");
    if (!wanted(otel)) {
      return OFF;
    }
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("otel.metrics.exporter", "none");
    properties.put("otel.logs.exporter", "none");
    properties.put("otel.exporter.otlp.protocol", "http/protobuf");
    properties.put("otel.service.name", "cwm-" + role);
    otel.forEach((name, value) -> properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value));
    OpenTelemetrySdk sdk;
    try {
      sdk = AutoConfiguredOpenTelemetrySdk.builder()
          .addPropertiesCustomizer(config -> properties) // this process's variables (tests give their own), not System.getenv
          .disableShutdownHook()
          .build()
          .getOpenTelemetrySdk();
    } catch (RuntimeException refused) {
      throw new IllegalArgumentException("OTEL_* settings refused by the OpenTelemetry SDK: " + refused.getMessage(),
          refused);
    }
    String exporter = properties.getOrDefault("otel.traces.exporter", "otlp");
    String endpoint = properties.getOrDefault("otel.exporter.otlp.traces.endpoint",
        properties.getOrDefault("otel.exporter.otlp.endpoint", "http://localhost:4318"));
    String description = "exporter " + exporter + (exporter.contains("otlp") ? " (" + properties.get(
        "otel.exporter.otlp.protocol") + " to " + endpoint + ")" : "") + ", sampler "
        + properties.getOrDefault("otel.traces.sampler", "parentbased_always_on")
        + (properties.containsKey("otel.traces.sampler.arg") ? " " + properties.get("otel.traces.sampler.arg") : "")
        + ", service " + properties.get("otel.service.name");
    String version = Tracing.class.getPackage().getImplementationVersion(); // null outside the jar
    Tracer tracer = version == null ? sdk.getTracer("io.cwm") : sdk.getTracer("io.cwm", version);
    return new Tracing(sdk, tracer, description);
  }

  private static boolean wanted(Map<String, String> otel) {
    if ("true".equalsIgnoreCase(otel.getOrDefault("OTEL_SDK_DISABLED", "").trim())) {
      return false;
    }
    String exporter = otel.getOrDefault("OTEL_TRACES_EXPORTER", "").trim();
    if (exporter.equalsIgnoreCase("none")) {
      return false;
    }
    return SWITCHES.stream().anyMatch(name -> !otel.getOrDefault(name, "").isBlank());
  }

  /** Whether traces are recorded and exported. Off, no other method may be called. */
  public boolean on() {
    return tracer != null;
  }

  /** What start-up logs: exporter, endpoint, sampler, service name (no header values: they may hold keys). */
  public String description() {
    return description;
  }

  /** A span of this process, to be given a parent ({@link SpanBuilder#setParent}) and kind, then started. */
  public SpanBuilder span(String name, SpanKind kind, Context parent) {
    return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent);
  }

  /** The context of {@code span}, as a parent of further spans. */
  public static Context context(Span span) {
    return Context.root().with(span);
  }

  /**
   * The context a W3C {@code traceparent} (and optional {@code tracestate}) names, or the root
   * context (a new trace) when it is absent or malformed. Parsed by the SDK's W3C propagator.
   */
  public static Context parent(String traceparent, String tracestate) {
    if (traceparent == null || traceparent.isEmpty()) {
      return Context.root();
    }
    Map<String, String> carrier = tracestate == null ? Map.of("traceparent", traceparent)
        : Map.of("traceparent", traceparent, "tracestate", tracestate);
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, MAP_GETTER);
  }

  /** {@code 00-<trace id>-<span id>-<flags>}, or null for an invalid context. */
  public static String traceparent(SpanContext context) {
    if (!context.isValid()) {
      return null;
    }
    return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
  }

  /**
   * Whether {@code text} has the shape of a W3C {@code traceparent} ({@code vv-<32 hex>-<16 hex>-ff},
   * a later version possibly followed by more fields; at most 256 characters): what a peer's frame may
   * carry into a header, checked before it is forwarded.
   */
  public static boolean isTraceparent(String text) {
    if (text == null || text.length() < 55 || text.length() > 256 || text.charAt(2) != '-' || text.charAt(35) != '-'
        || text.charAt(52) != '-' || (text.length() > 55 && text.charAt(55) != '-')) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean allowed = i < 55 ? (c == '-' && (i == 2 || i == 35 || i == 52)) || (c >= '0' && c <= '9')
          || (c >= 'a' && c <= 'f') : c > 0x20 && c < 0x7f;
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  /** {@link #traceparent(SpanContext)} of a span. */
  public static String traceparent(Span span) {
    return traceparent(span.getSpanContext());
  }

  /** Exports what is buffered and stops the SDK (bounded: 5 s). */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
}
