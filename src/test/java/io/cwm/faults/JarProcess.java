package io.cwm.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A receiver or connector started from the built jar, as users run it, with real signals:
 * {@link #kill9} (SIGKILL: no shutdown hook, nothing flushed), {@link #stop()} (SIGSTOP: frozen,
 * its sockets open) and {@link #resume()} (SIGCONT). Its output goes to {@code <name>.log} in
 * the run's directory, which a failure names.
 */
final class JarProcess implements AutoCloseable {
  static final Path JAR = Path.of(System.getProperty("cwm.jar", "target/cwm.jar"));

  private final Path dir;
  private final String name;
  private final List<String> arguments;
  private final Map<String, String> env;
  private Process process;

  JarProcess(Path dir, String name, Map<String, String> env, String... arguments) {
    this.dir = dir;
    this.name = name;
    this.env = env;
    this.arguments = List.of(arguments);
  }

  JarProcess start() throws IOException {
    List<String> command = new ArrayList<>(List.of("java", "-Xmx384m", "-jar",
        JAR.toAbsolutePath().toString()));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    builder.environment().putAll(env);
    process = builder.start();
    return this;
  }

  Path log() {
    return dir.resolve(name + ".log");
  }

  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM (a graceful stop, as an orchestrator's) and waits up to 60 s for the exit; its exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not exit within 60 s of SIGTERM; see " + log());
    }
    return process.exitValue();
  }

  void stop() throws Exception {
    signal("STOP");
  }

  void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      signalQuietly("CONT"); // a stopped JVM cannot run its shutdown hook
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private void signalQuietly(String signal) {
    try {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
    } catch (Exception ignored) {
      // gone already
    }
  }
}
