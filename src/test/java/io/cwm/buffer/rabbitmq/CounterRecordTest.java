package io.cwm.buffer.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cwm.buffer.rabbitmq.CounterRecord.Counts;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merging counter records: copies, old versions and any grouping give the same totals. */
class CounterRecordTest {
  private static final Counts A1 = new Counts(5, 1, 0);
  private static final Counts A2 = new Counts(9, 1, 2);
  private static final Counts B1 = new Counts(3, 0, 1);

  @Test
  void mergingKeepsTheLargestTotalsOfEachProcessAndAddsProcesses() {
    CounterRecord merged = CounterRecord.mergeAll(List.of(CounterRecord.of("a", A1), CounterRecord.of("b", B1),
        CounterRecord.of("a", A2)));
    assertEquals(new Counts(12, 1, 3), merged.total("self", Counts.ZERO));
  }

  @Test
  void copiesAndAnyGroupingOfRecordsGiveTheSameTotals() {
    CounterRecord a1 = CounterRecord.of("a", A1);
    CounterRecord a2 = CounterRecord.of("a", A2);
    CounterRecord b1 = CounterRecord.of("b", B1);
    CounterRecord compacted = a1.merge(b1); // a merge that crashed before acking its inputs
    CounterRecord everything = CounterRecord.mergeAll(List.of(compacted, a1, b1, a2, compacted, a2));
    assertEquals(a2.merge(b1), everything);
    assertEquals(CounterRecord.mergeAll(List.of(a2, compacted)), CounterRecord.mergeAll(List.of(compacted, a2)));
  }

  @Test
  void ownTotalsInMemoryCountInsteadOfOwnRecord() {
    CounterRecord record = CounterRecord.of("self", new Counts(4, 0, 0)).merge(CounterRecord.of("b", B1));
    assertEquals(new Counts(10, 0, 1), record.total("self", new Counts(7, 0, 0)));
    assertEquals(new Counts(7, 0, 1), record.total("self", Counts.ZERO), "a restarted process is a new one");
  }

  @Test
  void jsonRoundTripAndForeignBodies() {
    CounterRecord record = CounterRecord.of("a", A2).merge(CounterRecord.of("b", B1));
    assertEquals(record, CounterRecord.fromJson(new JsonObject(record.toJson().encode())));
    assertNull(CounterRecord.fromJson(new JsonObject().put("sequence", 3)));
  }
}
