package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentDeliveriesTest {
  final AtomicLong now = new AtomicLong(1_000_000);

  @Test
  void aDeliveredIdIsKnownUntilItsTimeToLivePasses() {
    RecentDeliveries recent = new RecentDeliveries(now::get);
    recent.delivered("msg_a");
    assertTrue(recent.wasDelivered("msg_a"));
    assertFalse(recent.wasDelivered("msg_b"));
    now.addAndGet(RecentDeliveries.TTL_MILLIS);
    assertTrue(recent.wasDelivered("msg_a"), "still known at exactly the TTL");
    now.incrementAndGet();
    assertFalse(recent.wasDelivered("msg_a"), "forgotten after the TTL");
    assertEquals(0, recent.size());
  }

  @Test
  void atMostMaxIdsAreKeptTheOldestGoFirst() {
    RecentDeliveries recent = new RecentDeliveries(now::get, 3, 60_000);
    for (String id : new String[] {"msg_1", "msg_2", "msg_3", "msg_4"}) {
      now.incrementAndGet();
      recent.delivered(id);
    }
    assertEquals(3, recent.size());
    assertFalse(recent.wasDelivered("msg_1"));
    assertTrue(recent.wasDelivered("msg_2") && recent.wasDelivered("msg_3") && recent.wasDelivered("msg_4"));
  }

  @Test
  void deliveringAgainMakesTheIdYoungest() {
    RecentDeliveries recent = new RecentDeliveries(now::get, 2, 60_000);
    recent.delivered("msg_1");
    recent.delivered("msg_2");
    recent.delivered("msg_1");
    recent.delivered("msg_3");
    assertTrue(recent.wasDelivered("msg_1"));
    assertFalse(recent.wasDelivered("msg_2"));
  }
}
