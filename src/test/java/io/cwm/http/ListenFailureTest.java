package io.cwm.http;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.TestServer;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** A port already taken is reported with the address and port, not just "Address already in use". */
class ListenFailureTest {

  @Test
  void aTakenPortIsNamedInTheStartUpFailure() throws Exception {
    try (TestServer first = TestServer.start("{}")) {
      ExecutionException failed = assertThrows(ExecutionException.class, () -> TestServer.startIn(
          Files.createTempDirectory("cwm-listen"), first.port(), "receiver", "{}", "{}", Map.of(), List.of()));
      String message = failed.getCause().getMessage();
      assertTrue(message.startsWith("cannot listen on 127.0.0.1:" + first.port() + ": "), message);
      assertTrue(message.contains("Address already in use"), message);
    }
  }
}
