package io.cwm.module.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleFailure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiskTargetTest {
  private static final Env NO_ENV = Env.of(Map.of());

  @TempDir
  Path base;

  @TempDir
  Path outside;

  private JsonObject config(String path) {
    return new JsonObject().put("base_dir", base.toString()).put("path", path);
  }

  private static ConfigException refused(JsonObject moduleConfig, Env env) {
    return assertThrows(ConfigException.class, () -> DiskTarget.fromConfig(moduleConfig, env));
  }

  private ConfigException refusedPath(String path) {
    ConfigException e = refused(config(path), NO_ENV);
    assertEquals("path", e.key());
    return e;
  }

  private static ConfigException refusedBase(String baseDir) {
    ConfigException e = refused(new JsonObject().put("base_dir", baseDir), NO_ENV);
    assertEquals("base_dir", e.key());
    return e;
  }

  private static long fileCount(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.count();
    }
  }

  @Test
  void jsonPayloadIsWrittenToAUuidNamedTextFile() throws IOException {
    DiskTarget target = DiskTarget.fromConfig(config("events/github"), NO_ENV);

    Path file = target.write(new JsonObject().put("action", "opened").put("n", 1));

    assertEquals(base.toRealPath().resolve("events/github"), file.getParent());
    String name = file.getFileName().toString();
    assertTrue(name.endsWith(".txt"), name);
    assertEquals(4, UUID.fromString(name.substring(0, name.length() - 4)).version());
    assertEquals("{\"action\":\"opened\",\"n\":1}", Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void nonAsciiJsonIsWrittenAsUtf8() throws IOException {
    Path file = DiskTarget.fromConfig(config("."), NO_ENV).write(new JsonObject().put("city", "Zürich ✓"));
    assertEquals("{\"city\":\"Zürich ✓\"}", Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void writtenFileIsReadableOnlyByItsOwner() throws IOException {
    Path file = DiskTarget.fromConfig(config("out"), NO_ENV).write(new JsonObject().put("a", 1));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void createdDirectoriesAreOwnerOnly() throws IOException {
    DiskTarget.fromConfig(config("a/b"), NO_ENV).write(new JsonObject());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(base.resolve("a/b"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(base.resolve("a"))));
  }

  @Test
  void blobIsWrittenAsRawBytes() throws IOException {
    byte[] bytes = {0, 1, (byte) 0xff, (byte) 0xfe, '\n', 'x'};
    Path file = DiskTarget.fromConfig(config("blobs"), NO_ENV).write(Buffer.buffer(bytes));
    assertArrayEquals(bytes, Files.readAllBytes(file));
  }

  @Test
  void everyWriteCreatesANewFile() throws IOException {
    DiskTarget target = DiskTarget.fromConfig(config("out"), NO_ENV);
    target.write(new JsonObject().put("n", 1));
    target.write(new JsonObject().put("n", 2));
    assertEquals(2, fileCount(base.resolve("out")));
  }

  @Test
  void absentPathMeansTheBaseDirectory() throws IOException {
    DiskTarget target = DiskTarget.fromConfig(new JsonObject().put("base_dir", base.toString()), NO_ENV);
    assertEquals(base.toRealPath(), target.directory());
  }

  @Test
  void absolutePathInsideTheBaseIsAccepted() throws IOException {
    DiskTarget target = DiskTarget.fromConfig(config(base.resolve("inbox").toString()), NO_ENV);
    assertEquals(base.toRealPath().resolve("inbox"), target.directory());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../../etc/passwd", "../", "..//", "a/../../b", "%2e%2e/x", "%252e%252e/x", "%2E%2E%2Fx",
      "..%2fx"})
  void traversalPathIsRefused(String path) {
    assertEquals("must not contain '..'", refusedPath(path).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\u0000b", "a%00b", "a%2500b"})
  void nulInThePathIsRefused(String path) {
    assertEquals("must not contain NUL", refusedPath(path).getMessage());
  }

  @Test
  void absolutePathOutsideTheBaseIsRefused() throws IOException {
    assertEquals("must stay inside base_dir " + base.toRealPath(), refusedPath("/etc").getMessage());
  }

  @Test
  void symlinkInsideTheBasePointingOutsideIsRefused() throws IOException {
    Files.createSymbolicLink(base.resolve("escape"), outside);

    assertEquals("must stay inside base_dir " + base.toRealPath(), refusedPath("escape").getMessage());
    assertEquals("must stay inside base_dir " + base.toRealPath(), refusedPath("escape/deeper").getMessage());
  }

  @Test
  void symlinkInsideTheBasePointingInsideIsAccepted() throws IOException {
    Files.createDirectory(base.resolve("real"));
    Files.createSymbolicLink(base.resolve("alias"), base.resolve("real"));

    assertEquals(base.toRealPath().resolve("real"), DiskTarget.fromConfig(config("alias"), NO_ENV).directory());
  }

  @Test
  void pathNamingAnExistingFileIsRefused() throws IOException {
    Files.writeString(base.resolve("notes.txt"), "x");
    assertEquals("names an existing file, not a directory", refusedPath("notes.txt").getMessage());
  }

  @Test
  void parentSwappedForAnOutsideSymlinkAfterStartUpIsRefusedAtWrite() throws IOException {
    DiskTarget target = DiskTarget.fromConfig(config("a/b"), NO_ENV);
    Files.createSymbolicLink(base.resolve("a"), outside);

    ModuleFailure failure = assertThrows(ModuleFailure.class, () -> target.write(new JsonObject().put("a", 1)));
    assertEquals(ModuleFailure.Category.PERMISSION, failure.category());
    try (Stream<Path> written = Files.walk(outside)) {
      assertEquals(0, written.filter(Files::isRegularFile).count());
    }
  }

  @Test
  void directorySwappedForAnOutsideSymlinkAfterStartUpIsRefusedAtWrite() throws IOException {
    DiskTarget target = DiskTarget.fromConfig(config("out"), NO_ENV);
    Files.createSymbolicLink(base.resolve("out"), outside);

    ModuleFailure failure = assertThrows(ModuleFailure.class, () -> target.write(new JsonObject().put("a", 1)));
    assertEquals(ModuleFailure.Category.PERMISSION, failure.category());
    assertEquals("save_to_disk path left its base directory", failure.getMessage());
    assertEquals(0, fileCount(outside));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc", "/etc/cwm", "/var/log/x", "/root", "/usr/local/share", "/proc/self", "/", "/boot"})
  void systemBaseDirectoryIsRefused(String baseDir) {
    assertEquals("must not be a system directory", refusedBase(baseDir).getMessage());
  }

  @Test
  void baseDirectoryWithDotDotIsRefused() {
    assertEquals("must be a directory path without '..'", refusedBase("/tmp/../etc").getMessage());
  }

  @Test
  void baseDirectoryWithNulIsRefused() {
    assertEquals("must be a directory path without '..'", refusedBase("/tmp/a\u0000b").getMessage());
  }

  @Test
  void baseDirectoryUnderTmpIsAllowed() {
    assertDoesNotThrow(() -> DiskTarget.fromConfig(new JsonObject().put("base_dir", "/tmp/cwm-disk-target-test"), NO_ENV));
  }

  @Test
  void baseDirectoryUnderVarTmpIsAllowed() {
    assertDoesNotThrow(() -> DiskTarget.fromConfig(new JsonObject().put("base_dir", "/var/tmp/cwm-disk-target-test"), NO_ENV));
  }

  @Test
  void environmentBaseDirectoryIsUsedWhenBaseDirIsAbsent() throws IOException {
    Env env = Env.of(Map.of(DiskTarget.BASE_DIR_ENV, base.toString()));

    DiskTarget target = DiskTarget.fromConfig(new JsonObject().put("path", "incoming"), env);

    assertEquals(base.toRealPath().resolve("incoming"), target.directory());
  }

  @Test
  void systemDirectoryFromTheEnvironmentIsRefused() {
    ConfigException e = refused(new JsonObject().put("path", "x"), Env.of(Map.of(DiskTarget.BASE_DIR_ENV, "/etc")));
    assertEquals("base_dir", e.key());
  }

  @Test
  void configuredBaseDirWinsOverTheEnvironment() throws IOException {
    Env env = Env.of(Map.of(DiskTarget.BASE_DIR_ENV, outside.toString()));

    DiskTarget target = DiskTarget.fromConfig(config("x"), env);

    assertEquals(base.toRealPath().resolve("x"), target.directory());
  }
}
