package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cwm.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerticlesConfigTest {
  @TempDir
  Path dir;

  @Test
  void invalidJsonNamesTheFileTheLineAndTheColumn() throws Exception {
    Path file = Files.writeString(dir.resolve("verticles.json"),
        "{\n  \"receiver\": [\n    {\"verticle\": \"ingest\" \"instances\": 1}\n  ]\n}");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> VerticlesConfig.load(file));
    assertEquals(file + ": invalid JSON at line 3, column 27: Unexpected character ('\"' (code 34)): was expecting "
        + "comma to separate Object entries", refused.getMessage());
  }

  @Test
  void launcherRefusesToStartWithTheSameMessage() throws Exception {
    Path file = Files.writeString(dir.resolve("verticles.json"), "{\"receiver\": [}");
    Launcher.Options options = new Launcher.Options("receiver", dir.resolve("webhooks.json"),
        dir.resolve("connections.json"), file, "127.0.0.1", 0, null, dir.resolve("data"), Env.of(Map.of()), List.of());
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> Launcher.start(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals("verticles config: " + file + ": invalid JSON at line 1, column 15: Unexpected close marker '}': "
        + "expected ']' (for Array starting at line 1, column 14)", failed.getCause().getMessage());
  }

  @Test
  void aFileHoldingAnArrayIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("verticles.json"), "[]");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> VerticlesConfig.load(file));
    assertEquals(file + ": must hold one JSON object", refused.getMessage());
  }

  @Test
  void theBundledCopyParses() throws Exception {
    VerticlesConfig config = VerticlesConfig.load(Path.of("verticles.json"));
    assertEquals("ingest", config.group("receiver").get(config.group("receiver").size() - 1).verticle());
  }

  @Test
  void bufferAndStreamTakeChannelPinsAndTheBundledCopyGivesThemAnInstancePerEventLoop() throws Exception {
    VerticlesConfig config = VerticlesConfig.parse("v.json", "{\"receiver\": [{\"verticle\": \"buffer\", "
        + "\"instances\": 4, \"channels\": {\"orders\": 3, \"audit\": 0}}, {\"verticle\": \"ingest\"}]}");
    assertEquals(Map.of("orders", 3, "audit", 0), config.group("receiver").get(0).channels());
    assertEquals(Map.of(), config.group("receiver").get(1).channels());
    VerticlesConfig bundled = VerticlesConfig.load(Path.of("verticles.json"));
    for (String role : List.of("receiver", "both")) {
      for (VerticlesConfig.Deployment line : bundled.group(role)) {
        if (VerticlesConfig.PER_CHANNEL.contains(line.verticle())) {
          assertEquals(0, line.instances(), role + " " + line.verticle() + ": one instance per event loop");
        }
      }
    }
  }

  @Test
  void pinsAreRefusedWhereNoChannelIsOwnedAndMustBeInstanceNumbers() {
    IllegalArgumentException elsewhere = assertThrows(IllegalArgumentException.class, () -> VerticlesConfig.parse(
        "v.json", "{\"receiver\": [{\"verticle\": \"ingest\", \"channels\": {\"a\": 0}}]}"));
    assertEquals("verticles config: 'ingest' in 'receiver': only buffer, channel, stream own channels; \"channels\" is "
        + "not allowed here", elsewhere.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> VerticlesConfig.parse(
        "v.json", "{\"receiver\": [{\"verticle\": \"stream\", \"channels\": {\"a\": -1}}]}"));
    assertEquals("verticles config: 'stream' in 'receiver': channel 'a' must be pinned to an instance number "
        + "(0 for the first)", negative.getMessage());
  }
}
