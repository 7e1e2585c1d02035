package io.cwm.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cwm.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ChainConfigTest {

  private static ConfigException refused(String json) {
    return assertThrows(ConfigException.class, () -> ChainConfig.parse(new JsonObject(json)));
  }

  @Test
  void absentBlockIsSequentialContinuingWithA30SecondTimeout() {
    assertSame(ChainConfig.DEFAULT, ChainConfig.parse(null));
    assertEquals(new ChainConfig(false, true, 30.0), ChainConfig.DEFAULT);
  }

  @Test
  void emptyBlockGivesTheDefaults() {
    assertEquals(ChainConfig.DEFAULT, ChainConfig.parse(new JsonObject()));
  }

  @Test
  void parallelStopOnErrorWithTimeoutIsRead() {
    assertEquals(new ChainConfig(true, false, 5.5),
        ChainConfig.parse(new JsonObject("{\"execution\":\"parallel\",\"continue_on_error\":false,\"timeout\":5.5}")));
  }

  @Test
  void randomExecutionIsRefused() {
    ConfigException e = refused("{\"execution\":\"random\"}");
    assertEquals("execution", e.key());
    assertEquals("must be \"sequential\" or \"parallel\"", e.getMessage());
  }

  @Test
  void negativeTimeoutIsRefused() {
    assertEquals("timeout", refused("{\"timeout\":-1}").key());
  }

  @Test
  void zeroTimeoutIsRefused() {
    assertEquals("timeout", refused("{\"timeout\":0}").key());
  }

  @Test
  void timeoutOverAnHourIsRefused() {
    assertEquals("timeout", refused("{\"timeout\":3601}").key());
  }

  @Test
  void yesIsNotAContinueOnErrorValue() {
    assertEquals("continue_on_error", refused("{\"continue_on_error\":\"yes\"}").key());
  }

  @Test
  void unknownKeyIsRefused() {
    ConfigException e = refused("{\"evil\":1}");
    assertEquals("evil", e.key());
    assertEquals("unknown key (allowed: execution, continue_on_error, timeout)", e.getMessage());
  }

  @Test
  void blockThatIsNotAnObjectIsRefused() {
    assertEquals("must be an object", assertThrows(ConfigException.class, () -> ChainConfig.parse("parallel")).getMessage());
  }
}
