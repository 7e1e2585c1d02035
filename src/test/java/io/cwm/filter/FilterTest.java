package io.cwm.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The filter rule language: each operator on pointers and headers, absent fields, types, limits, bad config. */
class FilterTest {
  static final JsonObject STRIPE = new JsonObject("""
      {"id": "evt_1", "type": "payment_intent.succeeded", "livemode": false, "amount": 2000, "ratio": 0.5,
       "note": null, "data": {"object": {"id": "pi_1", "currency": "eur", "tags": ["a", "b"]}}}""");
  static final Map<String, String> GITHUB = Map.of("x-github-event", "push", "content-type", "application/json");

  static Filter filter(String json) {
    return Filter.parse(new JsonObject(json));
  }

  static boolean delivered(String filters, Map<String, String> headers, Object payload) {
    return filter(filters).dropReason(headers, payload) == null;
  }

  static boolean accepts(String rule, Object payload) {
    return delivered("{\"accept\": [" + rule + "]}", GITHUB, payload);
  }

  @Test
  void theIssuesExampleDeliversOnlyTheListedStripeEvents() {
    String onlySucceeded = "{\"accept\": [{\"field\": \"/type\", \"in\": [\"payment_intent.succeeded\"]}]}";
    assertTrue(delivered(onlySucceeded, Map.of(), STRIPE));
    Filter filter = filter(onlySucceeded);
    assertEquals("accept[0]", filter.dropReason(Map.of(), STRIPE.copy().put("type", "charge.refunded")));
    assertEquals("accept[0]", filter.dropReason(Map.of(), new JsonObject()), "no type: not delivered");
  }

  @Test
  void equalsComparesByJsonTypeAndNumbersByValue() {
    assertTrue(accepts("{\"field\": \"/data/object/currency\", \"equals\": \"eur\"}", STRIPE));
    assertTrue(!accepts("{\"field\": \"/data/object/currency\", \"equals\": \"EUR\"}", STRIPE), "case-sensitive");
    assertTrue(accepts("{\"field\": \"/amount\", \"equals\": 2000}", STRIPE));
    assertTrue(accepts("{\"field\": \"/amount\", \"equals\": 2000.0}", STRIPE), "2000 == 2000.0");
    assertTrue(accepts("{\"field\": \"/ratio\", \"equals\": 0.5}", STRIPE));
    assertTrue(!accepts("{\"field\": \"/amount\", \"equals\": \"2000\"}", STRIPE), "a string is not a number");
    assertTrue(accepts("{\"field\": \"/livemode\", \"equals\": false}", STRIPE));
    assertTrue(!accepts("{\"field\": \"/livemode\", \"equals\": \"false\"}", STRIPE));
    assertTrue(accepts("{\"field\": \"/note\", \"equals\": null}", STRIPE), "JSON null");
    assertTrue(!accepts("{\"field\": \"/missing\", \"equals\": null}", STRIPE), "absent is not null");
    assertTrue(accepts("{\"field\": \"/data/object/tags/1\", \"equals\": \"b\"}", STRIPE), "array index");
    assertTrue(!accepts("{\"field\": \"/data/object\", \"equals\": \"pi_1\"}", STRIPE), "an object is no string");
  }

  @Test
  void inMatchesAnyOfItsValuesOfEveryType() {
    assertTrue(accepts("{\"field\": \"/amount\", \"in\": [\"x\", 1, 2000]}", STRIPE));
    assertTrue(accepts("{\"field\": \"/note\", \"in\": [\"x\", null]}", STRIPE));
    assertTrue(accepts("{\"field\": \"/type\", \"in\": [\"a\", \"payment_intent.succeeded\"]}", STRIPE));
    assertTrue(!accepts("{\"field\": \"/type\", \"in\": [\"a\", 5, true, null]}", STRIPE));
    assertTrue(!accepts("{\"field\": \"/missing\", \"in\": [\"a\", null]}", STRIPE));
  }

  @Test
  void headersAreMatchedByNameInAnyCaseAndValueAsText() {
    assertTrue(delivered("{\"accept\": [{\"field\": \"X-GitHub-Event\", \"equals\": \"push\"}]}", GITHUB, null));
    assertTrue(!delivered("{\"accept\": [{\"field\": \"X-GitHub-Event\", \"equals\": \"Push\"}]}", GITHUB, null));
    assertTrue(delivered("{\"drop\": [{\"field\": \"x-github-event\", \"in\": [\"ping\", \"star\"]}]}", GITHUB, null));
    assertTrue(!delivered("{\"drop\": [{\"field\": \"X-GitHub-Event\", \"prefix\": \"pu\"}]}", GITHUB, null));
    // a relayed message at the connector: the envelope's headers object
    Filter filter = filter("{\"accept\": [{\"field\": \"X-GitHub-Event\", \"equals\": \"push\"}]}");
    assertNull(filter.dropReason(new JsonObject().put("x-github-event", "push"), null));
    assertNull(filter.dropReason(new JsonObject().put("X-GitHub-Event", "push"), null), "any case in an envelope");
    assertEquals("accept[0]", filter.dropReason(new JsonObject().put("x-github-event", "issues"), null));
    assertEquals("accept[0]", filter.dropReason((JsonObject) null, null));
  }

  @Test
  void existsTellsPresentFromAbsentAndNullIsPresent() {
    assertTrue(accepts("{\"field\": \"/id\", \"exists\": true}", STRIPE));
    assertTrue(accepts("{\"field\": \"/note\", \"exists\": true}", STRIPE));
    assertTrue(accepts("{\"field\": \"/missing/deeper\", \"exists\": false}", STRIPE));
    assertTrue(!accepts("{\"field\": \"/id\", \"exists\": false}", STRIPE));
    assertTrue(accepts("{\"field\": \"X-GitHub-Event\", \"exists\": true}", STRIPE));
    assertTrue(accepts("{\"field\": \"X-Missing\", \"exists\": false}", STRIPE));
  }

  @Test
  void prefixAndRegexMatchStringsOnly() {
    assertTrue(accepts("{\"field\": \"/type\", \"prefix\": \"payment_intent.\"}", STRIPE));
    assertTrue(!accepts("{\"field\": \"/type\", \"prefix\": \"charge.\"}", STRIPE));
    assertTrue(!accepts("{\"field\": \"/amount\", \"prefix\": \"20\"}", STRIPE), "a number is no string");
    assertTrue(accepts("{\"field\": \"/type\", \"regex\": \"^payment_intent\\\\.(succeeded|failed)$\"}", STRIPE));
    assertTrue(accepts("{\"field\": \"/type\", \"regex\": \"succ\"}", STRIPE), "unanchored: found anywhere");
    assertTrue(accepts("{\"field\": \"/type\", \"regex\": \"(?i)PAYMENT\"}", STRIPE), "flags");
    assertTrue(!accepts("{\"field\": \"/amount\", \"regex\": \"2000\"}", STRIPE), "a number is no string");
    assertTrue(!accepts("{\"field\": \"/missing\", \"regex\": \".*\"}", STRIPE));
  }

  @Test
  void aRegexNeverBacktracksAndSkipsValuesOverTheInputCap() {
    // (a+)+$ on "aaa…!" takes exponential time in a backtracking engine; RE2 is linear
    Filter filter = filter("{\"accept\": [{\"field\": \"/s\", \"regex\": \"(a+)+$\"}]}");
    String evil = "a".repeat(FilterRule.MAX_REGEX_INPUT - 1) + "!";
    long started = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      assertEquals("accept[0]", filter.dropReason(Map.of(), new JsonObject().put("s", evil)));
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(millis < 2_000, "20 matches of an evil pattern took " + millis + " ms");
    String atCap = "a".repeat(FilterRule.MAX_REGEX_INPUT);
    assertNull(filter.dropReason(Map.of(), new JsonObject().put("s", atCap)));
    assertEquals("accept[0]", filter.dropReason(Map.of(), new JsonObject().put("s", atCap + "a")),
        "longer than the cap: no match");
  }

  @Test
  void pointersFindNothingInABlobButHeadersStillWork() {
    Buffer blob = Buffer.buffer("{\"type\": \"payment_intent.succeeded\"}");
    assertEquals("accept[0]", filter("{\"accept\": [{\"field\": \"/type\", \"exists\": true}]}")
        .dropReason(GITHUB, blob));
    assertNull(filter("{\"accept\": [{\"field\": \"X-GitHub-Event\", \"exists\": true}]}").dropReason(GITHUB, blob));
    assertNull(filter("{\"accept\": [{\"field\": \"/0/type\", \"equals\": \"x\"}]}")
        .dropReason(GITHUB, new JsonArray().add(new JsonObject().put("type", "x"))), "a JSON array payload");
  }

  @Test
  void everyAcceptRuleMustMatchAndAnyDropRuleWins() {
    String both = "{\"accept\": [{\"field\": \"/type\", \"prefix\": \"payment_intent.\"}, "
        + "{\"field\": \"/livemode\", \"equals\": true}]}";
    assertEquals("accept[1]", filter(both).dropReason(Map.of(), STRIPE));
    assertNull(filter(both).dropReason(Map.of(), STRIPE.copy().put("livemode", true)));

    String dropWins = "{\"accept\": [{\"field\": \"/type\", \"exists\": true}], "
        + "\"drop\": [{\"field\": \"/id\", \"equals\": \"evt_0\"}, {\"field\": \"/amount\", \"in\": [2000]}]}";
    assertEquals("drop[1]", filter(dropWins).dropReason(Map.of(), STRIPE));
    assertNull(filter(dropWins).dropReason(Map.of(), STRIPE.copy().put("amount", 1)));
  }

  @Test
  void anAnyRuleMatchesWhenOneOfItsRulesDoes() {
    String either = "{\"accept\": [{\"any\": [{\"field\": \"X-GitHub-Event\", \"equals\": \"release\"}, "
        + "{\"field\": \"/type\", \"prefix\": \"payment_intent.\"}]}]}";
    assertNull(filter(either).dropReason(GITHUB, STRIPE));
    assertNull(filter(either).dropReason(Map.of("x-github-event", "release"), null));
    assertEquals("accept[0]", filter(either).dropReason(GITHUB, null));
  }

  @Test
  void noFiltersIsNull() {
    assertNull(Filter.parse(null));
  }

  /** Each bad filters value, the key of its problem (relative to "filters") and a part of the message. */
  @Test
  void badFiltersAreRefusedWithTheirKeyAndAPreciseMessage() {
    String[][] cases = {
        {"[]", "", "must be an object with \"accept\" and/or \"drop\""},
        {"{}", "", "has no rules"},
        {"{\"acept\": []}", "acept", "unknown key 'acept'"},
        {"{\"accept\": []}", "accept", "must be a list of 1 to 64 rules"},
        {"{\"drop\": {\"field\": \"/a\"}}", "drop", "must be a list of 1 to 64 rules"},
        {"{\"accept\": [\"/type\"]}", "accept[0]", "must be a rule object"},
        {"{\"accept\": [{\"field\": \"/type\"}]}", "accept[0]", "has no operator"},
        {"{\"accept\": [{\"equals\": \"x\"}]}", "accept[0].field", "is required"},
        {"{\"accept\": [{\"field\": 5, \"equals\": \"x\"}]}", "accept[0].field", "must be a string"},
        {"{\"accept\": [{\"field\": \"X Event\", \"equals\": \"x\"}]}", "accept[0].field", "is not a header name"},
        {"{\"accept\": [{\"field\": \"/a\", \"equals\": \"x\", \"in\": [\"y\"]}]}", "accept[0]",
            "has both 'equals' and 'in'"},
        {"{\"accept\": [{\"field\": \"/a\", \"equal\": \"x\"}]}", "accept[0].equal", "unknown key 'equal'"},
        {"{\"accept\": [{\"field\": \"/a\", \"equals\": {\"b\": 1}}]}", "accept[0].equals",
            "must be a string, number, boolean or null"},
        {"{\"accept\": [{\"field\": \"X-Count\", \"equals\": 5}]}", "accept[0].equals",
            "must be a string: a header's value is text (write \"5\")"},
        {"{\"accept\": [{\"field\": \"X-Count\", \"in\": [\"5\", 6]}]}", "accept[0].in[1]", "must be a string"},
        {"{\"accept\": [{\"field\": \"/a\", \"in\": []}]}", "accept[0].in", "must be a list of 1 to 1024 values"},
        {"{\"accept\": [{\"field\": \"/a\", \"in\": \"x\"}]}", "accept[0].in", "must be a list"},
        {"{\"accept\": [{\"field\": \"/a\", \"exists\": \"yes\"}]}", "accept[0].exists", "must be true or false"},
        {"{\"accept\": [{\"field\": \"/a\", \"prefix\": \"\"}]}", "accept[0].prefix", "must be a non-empty string"},
        {"{\"accept\": [{\"field\": \"/a\", \"regex\": \"(a)\\\\1\"}]}", "accept[0].regex",
            "is not a valid RE2 regular expression"},
        {"{\"accept\": [{\"field\": \"/a\", \"regex\": \"(?=x)\"}]}", "accept[0].regex",
            "is not a valid RE2 regular expression"},
        {"{\"accept\": [{\"field\": \"/a\", \"regex\": \"" + "a".repeat(257) + "\"}]}", "accept[0].regex",
            "is longer than 256 characters"},
        {"{\"drop\": [{\"any\": [{\"any\": []}]}]}", "drop[0].any[0].any", "cannot hold another \"any\""},
        {"{\"drop\": [{\"any\": []}]}", "drop[0].any", "must be a list of 1 to 64 rules"},
        {"{\"drop\": [{\"any\": [{\"field\": \"/a\", \"exists\": true}], \"field\": \"/b\"}]}", "drop[0].field",
            "unknown key 'field' beside \"any\""},
    };
    for (String[] bad : cases) {
      List<ConfigException> problems = new ArrayList<>();
      Object raw = bad[0].startsWith("[") ? new JsonArray(bad[0]) : new JsonObject(bad[0]);
      assertNull(Filter.parse(raw, problems), bad[0]);
      assertEquals(1, problems.size(), () -> bad[0] + " → " + describe(problems));
      assertEquals(bad[1], problems.get(0).key(), bad[0]);
      assertTrue(problems.get(0).getMessage().contains(bad[2]), () -> bad[0] + " → " + problems.get(0).getMessage());
    }
  }

  @Test
  void everyProblemOfAFilterIsReportedNotOnlyTheFirst() {
    List<ConfigException> problems = new ArrayList<>();
    Filter.parse(new JsonObject("{\"accept\": [{\"field\": \"/a\", \"regex\": \"(\"}, {\"field\": \"\", \"in\": [1]}],"
        + " \"drop\": [{\"field\": \"X-A\", \"equals\": true}], \"other\": 1}"), problems);
    assertEquals("other, accept[0].regex, accept[1].field, drop[0].equals", problems.stream()
        .map(ConfigException::key).collect(Collectors.joining(", ")));
    assertThrows(ConfigException.class, () -> Filter.parse(new JsonObject("{}")));
  }

  private static String describe(List<ConfigException> problems) {
    return problems.stream().map(p -> p.key() + ": " + p.getMessage()).collect(Collectors.joining("; "));
  }
}
