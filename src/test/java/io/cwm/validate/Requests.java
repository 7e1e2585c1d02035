package io.cwm.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.Env;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test helpers: build a {@link WebhookRequest}, build validators, assert outcomes. */
public final class Requests {
  public static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);

  private final Map<String, String> headers = new LinkedHashMap<>();
  private final Map<String, List<String>> query = new LinkedHashMap<>();
  private String method = "POST";
  private String path = "/webhook/test";
  private String webhookId = "test";
  private Buffer body = Buffer.buffer("{}");
  private String peerIp = "203.0.113.7";

  public static Requests post() {
    return new Requests();
  }

  public Requests header(String name, String value) {
    headers.put(name.toLowerCase(Locale.ROOT), value);
    return this;
  }

  public Requests query(String name, String value) {
    query.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    return this;
  }

  public Requests body(String text) {
    body = Buffer.buffer(text);
    return this;
  }

  public Requests body(byte[] bytes) {
    body = Buffer.buffer(bytes);
    return this;
  }

  public Requests method(String method) {
    this.method = method;
    return this;
  }

  public Requests path(String path) {
    this.path = path;
    return this;
  }

  public Requests webhookId(String id) {
    this.webhookId = id;
    return this;
  }

  public Requests peer(String ip) {
    this.peerIp = ip;
    return this;
  }

  public WebhookRequest build() {
    return new WebhookRequest(method, path, webhookId, Map.copyOf(headers), Map.copyOf(query), body, peerIp);
  }

  /** A context with a fixed clock, no environment and no HTTP client. */
  public static ValidatorContext context() {
    return context(FIXED);
  }

  public static ValidatorContext context(Clock clock) {
    return new ValidatorContext(clock, Env.of(Map.of()), () -> {
      throw new IllegalStateException("no web client in this test");
    });
  }

  /** Builds the validator for {@code key} from a webhooks.json entry written as JSON text. */
  public static Validator build(String key, String entryJson, ValidatorContext context) {
    JsonObject entry = new JsonObject(entryJson);
    List<io.cwm.config.ConfigException> problems = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    List<Validator> built = ValidatorFactory.build(entry, context, problems, empty);
    assertTrue(problems.isEmpty(), () -> "config problems: " + problems.stream().map(p -> p.key() + ": " + p.getMessage()).toList());
    return built.stream().filter(v -> v.key().equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no validator built for " + key + " (empty: " + empty + ")"));
  }

  /** The config problem message for an invalid block, e.g. "hmac.secret: HMAC secret not configured". */
  public static String configProblem(String entryJson) {
    List<io.cwm.config.ConfigException> problems = new ArrayList<>();
    ValidatorFactory.build(new JsonObject(entryJson), context(), problems, new ArrayList<>());
    assertEquals(1, problems.size(), () -> "expected one problem, got " + problems.size());
    return problems.get(0).key() + ": " + problems.get(0).getMessage();
  }

  /** The keys of the blocks in an entry that build no validator ("no check"). */
  public static List<String> emptyBlocks(String entryJson) {
    List<io.cwm.config.ConfigException> problems = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    List<Validator> built = ValidatorFactory.build(new JsonObject(entryJson), context(), problems, empty);
    assertTrue(problems.isEmpty() && built.isEmpty(), () -> "expected no validator and no problem, got "
        + built.size() + " validators and " + problems.size() + " problems");
    return empty;
  }

  /** The CwmException an outcome failed with (fails the test if it passed or failed otherwise). */
  public static CwmException failure(Future<Void> outcome) {
    Throwable failure = await(outcome);
    assertInstanceOf(CwmException.class, failure, "expected a CwmException failure");
    return (CwmException) failure;
  }

  public static void assertPasses(Future<Void> outcome) {
    Throwable failure = await(outcome);
    if (failure != null) {
      throw new AssertionError("expected to pass, failed with: " + failure.getMessage(), failure);
    }
  }

  /** Asserts a failure with the given status and exact detail message. */
  public static void assertFails(FailureCode code, String detail, Future<Void> outcome) {
    Throwable failure = await(outcome);
    assertInstanceOf(CwmException.class, failure, "expected a CwmException failure");
    CwmException cwm = (CwmException) failure;
    assertEquals(code, cwm.code(), "failure code");
    assertEquals(detail, cwm.detail(), "detail");
  }

  public static void assertUnauthorized(String detail, Future<Void> outcome) {
    assertFails(FailureCode.UNAUTHORIZED, detail, outcome);
  }

  private static Throwable await(Future<Void> outcome) {
    try {
      outcome.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("validator did not complete", e);
    }
  }
}
