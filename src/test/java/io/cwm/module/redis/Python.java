package io.cwm.module.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs the machine's python3 on bytes given on stdin; returns its stdout (trimmed). */
final class Python {
  private Python() {}

  static String run(String script, byte[] stdin) throws Exception {
    Process process = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
    try (var in = process.getOutputStream()) {
      in.write(stdin);
    }
    byte[] output = process.getInputStream().readAllBytes();
    process.waitFor(20, TimeUnit.SECONDS);
    String text = new String(output, StandardCharsets.UTF_8).trim();
    assertEquals(0, process.exitValue(), text);
    return text;
  }

  /** {@code repr(pickle.loads(stdin))}. */
  static String unpickleRepr(byte[] pickle) throws Exception {
    return run("import pickle, sys; print(repr(pickle.loads(sys.stdin.buffer.read())))", pickle);
  }
}
