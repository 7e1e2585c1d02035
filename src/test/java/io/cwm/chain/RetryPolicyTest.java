package io.cwm.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryPolicyTest {

  private static RetryPolicy parse(String json) {
    return RetryPolicy.parse(new JsonObject(json));
  }

  private static ModuleFailure failure(Category category) {
    return new ModuleFailure(category, "failed");
  }

  @Test
  void absentBlockIsDisabled() {
    assertSame(RetryPolicy.DISABLED, RetryPolicy.parse(null));
    assertEquals(1, RetryPolicy.DISABLED.attempts());
  }

  @Test
  void emptyBlockHasThePythonDefaults() {
    RetryPolicy retry = parse("{}");

    assertFalse(retry.enabled());
    assertEquals(3, retry.maxAttempts());
    assertEquals(1.0, retry.initialDelaySeconds());
    assertEquals(60.0, retry.maxDelaySeconds());
    assertEquals(2.0, retry.backoffMultiplier());
    assertEquals(Set.of(), retry.retryable());
    assertEquals(Set.of(), retry.nonRetryable());
  }

  @Test
  void enabledPolicyAllowsMaxAttempts() {
    assertEquals(3, parse("{\"enabled\": true}").attempts());
    assertEquals(5, parse("{\"enabled\": true, \"max_attempts\": 5}").attempts());
  }

  @Test
  void disabledPolicyAllowsOneAttemptWhateverMaxAttemptsSays() {
    assertEquals(1, parse("{\"enabled\": false, \"max_attempts\": 5}").attempts());
    assertEquals(1, parse("{\"max_attempts\": 5}").attempts());
  }

  @Test
  void stringsFromSubstitutionAreAccepted() {
    RetryPolicy retry = parse("{\"enabled\": \"true\", \"max_attempts\": \"4\", \"initial_delay\": \"0.5\"}");

    assertTrue(retry.enabled());
    assertEquals(4, retry.attempts());
    assertEquals(0.5, retry.initialDelaySeconds());
  }

  @Test
  void falseAsAStringDisablesRetry() {
    assertFalse(parse("{\"enabled\": \"false\"}").enabled());
  }

  @Test
  void maxAttemptsIsClampedTo20() {
    assertEquals(20, parse("{\"max_attempts\": 50}").maxAttempts());
  }

  @Test
  void maxAttemptsIsClampedTo1() {
    assertEquals(1, parse("{\"max_attempts\": 0}").maxAttempts());
  }

  @Test
  void initialDelayIsClampedTo60Seconds() {
    assertEquals(60.0, parse("{\"initial_delay\": 100}").initialDelaySeconds());
  }

  @Test
  void negativeInitialDelayIsClampedToZero() {
    assertEquals(0.0, parse("{\"initial_delay\": -3}").initialDelaySeconds());
  }

  @Test
  void multiplierIsClampedTo0Point1() {
    assertEquals(0.1, parse("{\"backoff_multiplier\": 0}").backoffMultiplier());
  }

  @Test
  void multiplierIsClampedTo10() {
    assertEquals(10.0, parse("{\"backoff_multiplier\": 99}").backoffMultiplier());
  }

  @Test
  void maxDelayIsClampedTo60Seconds() {
    assertEquals(60.0, parse("{\"max_delay\": 3600}").maxDelaySeconds());
  }

  @Test
  void maxDelayBelowInitialDelayIsRaisedToIt() {
    assertEquals(10.0, parse("{\"initial_delay\": 10, \"max_delay\": 5}").maxDelaySeconds());
  }

  @Test
  void delaysGrowByTheMultiplierUpToMaxDelay() {
    RetryPolicy retry = parse("{\"enabled\": true, \"initial_delay\": 1, \"max_delay\": 10, \"backoff_multiplier\": 2}");

    assertEquals(1000, retry.delayMillis(0));
    assertEquals(2000, retry.delayMillis(1));
    assertEquals(4000, retry.delayMillis(2));
    assertEquals(8000, retry.delayMillis(3));
    assertEquals(10_000, retry.delayMillis(4));
    assertEquals(10_000, retry.delayMillis(10));
  }

  @Test
  void fractionalDelaysAreInMilliseconds() {
    RetryPolicy retry = parse("{\"initial_delay\": 0.25, \"backoff_multiplier\": 1.5}");

    assertEquals(250, retry.delayMillis(0));
    assertEquals(375, retry.delayMillis(1));
  }

  @Test
  void zeroDelayWaitsOneMillisecond() {
    assertEquals(1, parse("{\"initial_delay\": 0}").delayMillis(0));
  }

  @ParameterizedTest
  @EnumSource(value = Category.class, names = {"CONNECTION", "TIMEOUT", "IO", "UNAVAILABLE"})
  void transientFailuresAreRetriedByDefault(Category category) {
    assertTrue(parse("{\"enabled\": true}").shouldRetry(failure(category)));
  }

  @ParameterizedTest
  @EnumSource(value = Category.class, names = {"VALIDATION", "CONFIG", "REJECTED", "AUTH", "PERMISSION", "INTERNAL"})
  void permanentFailuresAreNotRetriedByDefault(Category category) {
    assertFalse(parse("{\"enabled\": true}").shouldRetry(failure(category)));
  }

  @Test
  void pythonConnectionErrorAsNonRetryableStopsAConnectionFailure() {
    RetryPolicy retry = parse("{\"enabled\": true, \"non_retryable_errors\": [\"ConnectionError\"]}");

    assertFalse(retry.shouldRetry(failure(Category.CONNECTION)));
    assertFalse(retry.shouldRetry(failure(Category.UNAVAILABLE)));
    assertTrue(retry.shouldRetry(failure(Category.TIMEOUT)));
  }

  @Test
  void pythonValueErrorAsRetryableRetriesValidationFailures() {
    RetryPolicy retry = parse("{\"enabled\": true, \"retryable_errors\": [\"ValueError\"]}");

    assertTrue(retry.shouldRetry(failure(Category.VALIDATION)));
    assertTrue(retry.shouldRetry(failure(Category.REJECTED)));
  }

  @Test
  void pythonNamesMapOntoCategories() {
    RetryPolicy retry = parse("""
        {"retryable_errors": ["ConnectionRefusedError", "TimeoutError", "OSError"],
         "non_retryable_errors": ["AuthenticationError", "PermissionError", "KeyError", "TypeError"]}
        """);

    assertEquals(Set.of(Category.CONNECTION, Category.TIMEOUT, Category.IO), retry.retryable());
    assertEquals(Set.of(Category.AUTH, Category.PERMISSION, Category.CONFIG), retry.nonRetryable());
  }

  @Test
  void ourCategoryNamesAreAcceptedInAnyCase() {
    RetryPolicy retry = parse("{\"retryable_errors\": [\"rejected\", \" Internal \"]}");
    assertEquals(Set.of(Category.REJECTED, Category.INTERNAL), retry.retryable());
  }

  @Test
  void unknownErrorNamesAreIgnored() {
    RetryPolicy retry = parse("{\"retryable_errors\": [\"MadeUpError\"], \"non_retryable_errors\": [\"Nope\"]}");

    assertEquals(Set.of(), retry.retryable());
    assertEquals(Set.of(), retry.nonRetryable());
    assertTrue(retry.shouldRetry(failure(Category.CONNECTION)));
  }

  @Test
  void nonRetryableWinsOverRetryable() {
    RetryPolicy retry = parse("{\"retryable_errors\": [\"TimeoutError\"], \"non_retryable_errors\": [\"timeout\"]}");
    assertFalse(retry.shouldRetry(failure(Category.TIMEOUT)));
  }

  @Test
  void blockThatIsNotAnObjectIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> RetryPolicy.parse("yes"));
    assertEquals("must be an object", e.getMessage());
  }

  @Test
  void nonBooleanEnabledIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("{\"enabled\": \"yes\"}"));
    assertEquals("enabled", e.key());
  }
}
