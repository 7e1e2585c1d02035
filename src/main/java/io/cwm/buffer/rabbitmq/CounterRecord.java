package io.cwm.buffer.rabbitmq;

import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Channel counters on RabbitMQ, which has no atomic counter: each receiver process counts its own
 * acks, expiries and dead letters from zero under an id of its own, and writes its running totals
 * (cumulative, so only ever growing) as a message of the channel's counts queue
 * ({@link RabbitLayout#countsQueue}). A message may carry the totals of many processes (a
 * compaction merges messages into one). The channel's counter is the sum over processes of each
 * process's largest totals seen, so any number of copies, old versions, concurrent writers and
 * concurrent compactions give the same answer: merging takes the maximum per process, never adds
 * two messages. Nothing is ever overwritten by another receiver (the last-writer-wins state
 * message lost counts when two receivers wrote at once).
 *
 * @param processes process id → its totals
 */
record CounterRecord(Map<String, Counts> processes) {
  static final CounterRecord EMPTY = new CounterRecord(Map.of());

  /** Totals of one process, or of a channel. */
  record Counts(long delivered, long expired, long deadLettered) {
    static final Counts ZERO = new Counts(0, 0, 0);

    Counts plus(Counts other) {
      return new Counts(delivered + other.delivered, expired + other.expired, deadLettered + other.deadLettered);
    }

    Counts max(Counts other) {
      return new Counts(Math.max(delivered, other.delivered), Math.max(expired, other.expired),
          Math.max(deadLettered, other.deadLettered));
    }

    Counts withDelivered(long more) {
      return new Counts(delivered + more, expired, deadLettered);
    }

    Counts withExpired(long more) {
      return new Counts(delivered, expired + more, deadLettered);
    }

    Counts withDeadLettered(long more) {
      return new Counts(delivered, expired, deadLettered + more);
    }

    JsonObject toJson() {
      return new JsonObject().put("delivered", delivered).put("expired", expired).put("dead_lettered", deadLettered);
    }

    static Counts fromJson(JsonObject json) {
      return new Counts(json.getLong("delivered", 0L), json.getLong("expired", 0L), json.getLong("dead_lettered", 0L));
    }
  }

  static CounterRecord of(String process, Counts counts) {
    return new CounterRecord(Map.of(process, counts));
  }

  /** The larger totals of each process in either record. */
  CounterRecord merge(CounterRecord other) {
    Map<String, Counts> merged = new HashMap<>(processes);
    other.processes.forEach((process, counts) -> merged.merge(process, counts, Counts::max));
    return new CounterRecord(Map.copyOf(merged));
  }

  static CounterRecord mergeAll(Collection<CounterRecord> records) {
    CounterRecord merged = EMPTY;
    for (CounterRecord record : records) {
      merged = merged.merge(record);
    }
    return merged;
  }

  /** The channel's counters: the sum over processes, this process's own (in-memory) totals counted instead of its record. */
  Counts total(String self, Counts own) {
    Counts total = Counts.ZERO;
    for (Map.Entry<String, Counts> entry : processes.entrySet()) {
      if (!entry.getKey().equals(self)) {
        total = total.plus(entry.getValue());
      }
    }
    return total.plus(own.max(processes.getOrDefault(self, Counts.ZERO)));
  }

  JsonObject toJson() {
    JsonObject byProcess = new JsonObject();
    processes.forEach((process, counts) -> byProcess.put(process, counts.toJson()));
    return new JsonObject().put("version", 1).put("processes", byProcess);
  }

  /** Null when the body is not a counter record (then it is left alone). */
  static CounterRecord fromJson(JsonObject json) {
    JsonObject byProcess = json.getJsonObject("processes");
    if (byProcess == null) {
      return null;
    }
    Map<String, Counts> processes = new HashMap<>();
    for (String process : byProcess.fieldNames()) {
      processes.put(process, Counts.fromJson(byProcess.getJsonObject(process)));
    }
    return new CounterRecord(Map.copyOf(processes));
  }
}
