package io.cwm.module.disk;

import io.cwm.config.EnvVars;
import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

/**
 * Where and how {@code save_to_disk} writes (modules.md §3.2): one {@code <uuid>.txt} file per
 * webhook inside {@code path}, which must stay inside {@code base_dir} (symlinks resolved),
 * directories 0700, files 0600. Content: the payload as UTF-8 JSON, or the raw bytes of a blob
 * payload. The file is fsynced before the call succeeds.
 */
public final class DiskTarget {
  /** Default base directory when the module-config gives none: the working directory. */
  public static final String BASE_DIR_ENV = EnvVars.SAVE_TO_DISK_BASE_DIR;
  private static final List<String> SYSTEM_DIRS = List.of("/etc", "/usr", "/bin", "/sbin", "/lib",
      "/lib64", "/sys", "/proc", "/dev", "/root", "/boot", "/private/etc", "/var/log", "/var/db",
      "/var/run", "/var/lib", "/var/cache", "/var/spool", "/var/mail", "/var/backups",
      "/private/var/log", "/private/var/db", "/private/var/run", "/private/var/lib",
      "/private/var/cache", "/private/var/spool", "/private/var/mail", "/private/var/backups");
  private static final List<String> TEMP_TREES =
      List.of("/tmp/", "/var/tmp/", "/var/folders/", "/private/var/tmp/", "/private/var/folders/");

  private final Path baseDir;
  private final Path directory;

  private DiskTarget(Path baseDir, Path directory) {
    this.baseDir = baseDir;
    this.directory = directory;
  }

  /** Validates base_dir and path (lexically and against existing symlinks). */
  public static DiskTarget fromConfig(JsonObject moduleConfig, Env env) {
    String base = Coerce.string(moduleConfig, "base_dir", null);
    if (base == null) {
      base = env.get(BASE_DIR_ENV, Path.of("").toAbsolutePath().toString());
    }
    if (base.isBlank() || base.contains("..") || base.indexOf('\0') >= 0) {
      throw new ConfigException("base_dir", "must be a directory path without '..'");
    }
    Path baseDir = realPathOfExisting(Path.of(base).toAbsolutePath().normalize());
    if (isSystemDir(baseDir)) {
      throw new ConfigException("base_dir", "must not be a system directory");
    }
    String path = Coerce.string(moduleConfig, "path", ".");
    String decoded = decode(decode(path));
    if (path.contains("..") || decoded.contains("..")) {
      throw new ConfigException("path", "must not contain '..'");
    }
    if (path.indexOf('\0') >= 0 || decoded.indexOf('\0') >= 0) {
      throw new ConfigException("path", "must not contain NUL");
    }
    Path directory = realPathOfExisting(baseDir.resolve(path).normalize());
    if (!directory.startsWith(baseDir)) {
      throw new ConfigException("path", "must stay inside base_dir " + baseDir);
    }
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new ConfigException("path", "names an existing file, not a directory");
    }
    return new DiskTarget(baseDir, directory);
  }

  /**
   * Writes one payload; blocking (call from a worker). Returns the file written.
   *
   * @throws ModuleFailure IO (retryable) when the disk refuses, PERMISSION when the directory
   *     escaped base_dir since start-up (a symlink swapped in)
   */
  public Path write(Object payload) {
    try {
      Files.createDirectories(directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      if (!directory.toRealPath().startsWith(baseDir)) {
        throw new ModuleFailure(Category.PERMISSION, "save_to_disk path left its base directory");
      }
      Path file = directory.resolve(UUID.randomUUID() + ".txt");
      byte[] bytes = payload instanceof Buffer blob
          ? blob.getBytes() : Json.encode(payload).getBytes(StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(file,
          java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      return file;
    } catch (FileAlreadyExistsException collision) {
      throw new ModuleFailure(Category.IO, "file write operation failed");
    } catch (IOException e) {
      throw new ModuleFailure(Category.IO, "file write operation failed");
    }
  }

  public Path directory() {
    return directory;
  }

  private static String decode(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  /** Resolves symlinks of the longest existing prefix and appends the rest. */
  private static Path realPathOfExisting(Path path) {
    Path existing = path;
    Path rest = Path.of("");
    while (existing != null && !Files.exists(existing)) {
      rest = existing.getFileName().resolve(rest);
      existing = existing.getParent();
    }
    if (existing == null) {
      return path;
    }
    try {
      return existing.toRealPath().resolve(rest).normalize();
    } catch (IOException e) {
      return path;
    }
  }

  private static boolean isSystemDir(Path path) {
    String text = path.toString();
    for (String temp : TEMP_TREES) {
      if ((text + "/").startsWith(temp)) {
        return false;
      }
    }
    if (text.equals("/")) {
      return true;
    }
    for (String system : SYSTEM_DIRS) {
      if (text.equals(system) || text.startsWith(system + "/")) {
        return true;
      }
    }
    return false;
  }
}
