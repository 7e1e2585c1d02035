package io.cwm.validate;

import static io.cwm.validate.Requests.assertFails;
import static io.cwm.validate.Requests.assertPasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.error.FailureCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JsonSchemaValidatorTest {
  private static final String ORDER_SCHEMA = "{\"type\":\"object\",\"required\":[\"id\",\"items\"],"
      + "\"properties\":{\"id\":{\"type\":\"string\",\"minLength\":1},"
      + "\"total\":{\"type\":\"number\",\"minimum\":0},"
      + "\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/item\"}}},"
      + "\"$defs\":{\"item\":{\"type\":\"object\",\"required\":[\"sku\"],"
      + "\"properties\":{\"sku\":{\"type\":\"string\",\"pattern\":\"^[A-Z0-9-]+$\"},\"qty\":{\"type\":\"integer\"}}}}}";

  private static Validator validator(String schema) {
    return Requests.build("json_schema", "{\"json_schema\":" + schema + "}", Requests.context());
  }

  private static Future<Void> check(Validator validator, String body) {
    return validator.validate(Requests.post().body(body).build());
  }

  private static void assertRejected(Future<Void> outcome) {
    assertFails(FailureCode.BAD_REQUEST, "JSON schema validation failed", outcome);
  }

  @Test
  void validBodyPassesAndInvalidBodyIsRefusedWithoutDetails() {
    Validator schema = validator(ORDER_SCHEMA);
    assertPasses(check(schema, "{\"id\":\"o-1\",\"total\":12.5,\"items\":[{\"sku\":\"AB-1\",\"qty\":2}]}"));
    assertRejected(check(schema, "{\"id\":\"o-1\"}"));
    assertRejected(check(schema, "{\"id\":\"\",\"items\":[]}"));
    assertRejected(check(schema, "{\"id\":\"o-1\",\"items\":[{\"sku\":\"lower\"}]}"));
    assertRejected(check(schema, "{\"id\":\"o-1\",\"items\":[{\"sku\":\"A\",\"qty\":1.5}]}"));
    assertRejected(check(schema, "[1,2]"));
  }

  @Test
  void bodyThatIsNotJsonIsInvalidJsonBody() {
    Validator schema = validator(ORDER_SCHEMA);
    assertFails(FailureCode.BAD_REQUEST, "Invalid JSON body", check(schema, "{invalid json}"));
    assertFails(FailureCode.BAD_REQUEST, "Invalid JSON body", check(schema, ""));
  }

  @Test
  void parserLimitsKeepTheirOwnMessage() {
    Validator schema = validator("{\"type\":\"array\"}");
    String deep = "[".repeat(52) + "1" + "]".repeat(52);
    assertFails(FailureCode.BAD_REQUEST, "JSON too deeply nested: 51 levels (max: 50)", check(schema, deep));
  }

  @Test
  void formatIsNotAsserted() {
    Validator schema = validator("{\"type\":\"object\",\"properties\":{"
        + "\"email\":{\"type\":\"string\",\"format\":\"email\"},"
        + "\"when\":{\"type\":\"string\",\"format\":\"date-time\"},"
        + "\"format\":{\"type\":\"string\"}}}");
    assertPasses(check(schema, "{\"email\":\"not-an-email\",\"when\":\"yesterday\",\"format\":\"x\"}"));
    // a property that happens to be called "format" is still validated
    assertRejected(check(schema, "{\"format\":5}"));
  }

  @Test
  void formatInsideDataValuesIsLeftAlone() {
    Validator schema = validator("{\"const\":{\"format\":\"email\"}}");
    assertPasses(check(schema, "{\"format\":\"email\"}"));
    assertRejected(check(schema, "{}"));
  }

  @Test
  void draftIsTakenFromDollarSchema() {
    // draft-04: boolean exclusiveMaximum
    Validator draft4 = validator("{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
        + "\"type\":\"number\",\"maximum\":10,\"exclusiveMaximum\":true}");
    assertPasses(check(draft4, "9.5"));
    assertRejected(check(draft4, "10"));
    Validator draft7 = validator("{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
        + "\"definitions\":{\"n\":{\"type\":\"integer\"}},\"$ref\":\"#/definitions/n\"}");
    assertPasses(check(draft7, "3"));
    assertRejected(check(draft7, "\"3\""));
    Validator draft201909 = validator("{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\","
        + "\"type\":\"object\",\"dependentRequired\":{\"a\":[\"b\"]}}");
    assertPasses(check(draft201909, "{\"a\":1,\"b\":2}"));
    assertRejected(check(draft201909, "{\"a\":1}"));
    // 2020-12 is the default: exclusiveMaximum is a number there, a boolean is a bad schema
    assertEquals("json_schema: Invalid JSON schema configuration",
        Requests.configProblem("{\"json_schema\":{\"type\":\"number\",\"exclusiveMaximum\":true}}"));
  }

  @Test
  void largeIntegersAndDecimalsAreNumbers() {
    Validator schema = validator("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":0}}}");
    assertPasses(check(schema, "{\"n\":123456789012345678901234567890}"));
    assertPasses(check(schema, "{\"n\":5.0}"));
    assertRejected(check(schema, "{\"n\":-1}"));
  }

  @Test
  void badSchemasAreRefusedAtLoad() {
    for (String bad : new String[] {"{\"type\":5}", "{\"type\":\"strin\"}", "{\"properties\":\"x\"}",
        "{\"required\":\"a\"}", "{\"minLength\":-1}", "{\"pattern\":\"[\"}", "\"a string\"", "[{\"type\":\"object\"}]"}) {
      assertEquals("json_schema: Invalid JSON schema configuration",
          Requests.configProblem("{\"json_schema\":" + bad + "}"), bad);
    }
    assertEquals("json_schema.$schema: Invalid JSON schema configuration (unsupported $schema)",
        Requests.configProblem("{\"json_schema\":{\"$schema\":\"http://example.com/my-draft\"}}"));
  }

  @Test
  void remoteReferencesAreNeverFetched() {
    assertEquals("json_schema: Invalid JSON schema configuration (unresolvable $ref)",
        Requests.configProblem("{\"json_schema\":{\"$ref\":\"https://example.com/schema.json\"}}"));
    assertEquals("json_schema: Invalid JSON schema configuration (unresolvable $ref)",
        Requests.configProblem("{\"json_schema\":{\"properties\":{\"a\":{\"$ref\":\"#/$defs/missing\"}}}}"));
  }

  @Test
  void emptySchemaMeansNoCheckAndConfigIsNotModified() {
    assertNull(JsonSchemaValidator.fromConfig(new JsonObject(), new JsonObject(), Requests.context()));
    JsonObject entry = new JsonObject("{\"json_schema\":" + ORDER_SCHEMA + "}");
    JsonObject before = entry.copy();
    Validator schema = JsonSchemaValidator.fromConfig(entry.getValue("json_schema"), entry, Requests.context());
    assertPasses(check(schema, "{\"id\":\"o-1\",\"items\":[]}"));
    assertEquals(before, entry);
  }

  @Test
  void oneValidatorIsSafeToShareBetweenThreads() throws Exception {
    Validator schema = validator(ORDER_SCHEMA);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        tasks.add(() -> {
          for (int i = 0; i < 200; i++) {
            boolean good = (i + seed) % 2 == 0;
            String body = good ? "{\"id\":\"o\",\"items\":[{\"sku\":\"A" + i + "\"}]}" : "{\"id\":\"o\",\"items\":[{}]}";
            boolean passed = check(schema, body).toCompletionStage().toCompletableFuture()
                .handle((ok, failure) -> failure == null).get();
            if (passed != good) {
              return false;
            }
          }
          return true;
        });
      }
      for (var result : pool.invokeAll(tasks)) {
        assertTrue(result.get());
      }
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
  }
}
