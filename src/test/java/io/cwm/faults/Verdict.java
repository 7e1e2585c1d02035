package io.cwm.faults;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one fault run: what the loader posted and got 200 for, what the target
 * received, and the times from the fault's end to the first delivery and to the arrival of the
 * last webhook accepted before the fault ended (the backlog the fault left; 0 when it had all
 * arrived by then).
 *
 * @param lost ids answered 200 that never reached the target (must be empty)
 */
record Verdict(String scenario, Backend backend, int posted, int accepted, int delivered, List<String> lost,
    int duplicates, Map<Integer, Integer> refused, long deadLetters, long firstAfterFaultMillis,
    long backlogAfterFaultMillis, String logs) {

  static final String HEADER = "| scenario | buffer | posted | 200 | delivered | lost | duplicates | non-200 (status: count; 0 = no answer) "
      + "| dead letters | fault end → first delivery / backlog delivered |\n|---|---|---|---|---|---|---|---|---|---|\n";

  String row() {
    return "| " + scenario + " | " + backend.label() + " | " + posted + " | " + accepted + " | " + delivered + " | "
        + lost.size() + " | " + duplicates + " | " + (refused.isEmpty() ? "none" : refused.toString()) + " | "
        + deadLetters + " | " + time(firstAfterFaultMillis) + " / " + time(backlogAfterFaultMillis) + " |\n";
  }

  private static String time(long millis) {
    return millis < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
