package io.cwm.module.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Group commit: rows that arrive while the INSERT slots are busy go together, each call gets its INSERT's outcome. */
class InsertBatchesTest {
  private final List<Integer> counts = new ArrayList<>();
  private final List<Promise<Void>> inserts = new ArrayList<>();

  private InsertBatches batches(int maxInFlight) {
    return new InsertBatches(maxInFlight, (rows, count) -> {
      counts.add(count);
      Promise<Void> insert = Promise.promise();
      inserts.add(insert);
      return insert.future();
    });
  }

  private static Buffer row(int n) {
    return Buffer.buffer("{\"n\":" + n + "}\n");
  }

  @Test
  void aCallWithAFreeSlotGoesAloneAndCallsArrivingMeanwhileGoTogether() {
    InsertBatches batches = batches(1);
    Future<Void> first = batches.add(row(1));
    Future<Void> second = batches.add(row(2));
    Future<Void> third = batches.add(row(3));
    assertEquals(List.of(1), counts, "the first row went at once, alone");
    inserts.get(0).complete();
    assertTrue(first.succeeded());
    assertFalse(second.isComplete(), "answered only once its own INSERT succeeded");
    assertEquals(List.of(1, 2), counts, "the two waiting rows went in one INSERT");
    inserts.get(1).complete();
    assertTrue(second.succeeded() && third.succeeded());
    assertEquals(0, batches.inFlight());
  }

  @Test
  void aFailedInsertFailsEveryCallItCarriedWithItsTypedFailure() {
    InsertBatches batches = batches(1);
    batches.add(row(1));
    Future<Void> a = batches.add(row(2));
    Future<Void> b = batches.add(row(3));
    inserts.get(0).complete();
    inserts.get(1).fail(new ModuleFailure(Category.CONNECTION, "ClickHouse unreachable"));
    assertEquals(Category.CONNECTION, ((ModuleFailure) a.cause()).category());
    assertEquals(Category.CONNECTION, ((ModuleFailure) b.cause()).category());
  }

  @Test
  void batchesStopAtTheirRowLimitAndSlotsRunInParallel() {
    InsertBatches batches = batches(2);
    for (int n = 0; n < InsertBatches.MAX_ROWS + 5; n++) {
      batches.add(row(n));
    }
    assertEquals(List.of(1, 1), counts, "two slots, two single-row INSERTs at once");
    inserts.get(0).complete();
    assertEquals(InsertBatches.MAX_ROWS, counts.get(2));
    inserts.get(1).complete();
    assertEquals(3, counts.get(3));
  }
}
