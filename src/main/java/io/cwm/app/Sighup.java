package io.cwm.app;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code SIGHUP} reloads the config, as daemons do. The JVM has one handler per signal, so the
 * receivers of this JVM (one in production, several in tests) register here and each is told.
 * Without a handler the JVM would stop on SIGHUP; with it, it never does. {@code sun.misc.Signal}
 * is the JDK's supported way to do this (module jdk.unsupported, kept for exactly this use).
 */
final class Sighup {
  private static final Logger LOG = LoggerFactory.getLogger(Sighup.class);
  private static final Set<Runnable> LISTENERS = new CopyOnWriteArraySet<>();
  private static boolean installed;

  private Sighup() {}

  /** Tells {@code listener} of every SIGHUP until {@link #remove}; false when the platform has no SIGHUP. */
  static synchronized boolean add(Runnable listener) {
    if (!installed) {
      try {
        Signal.handle(new Signal("HUP"), signal -> LISTENERS.forEach(Runnable::run));
        installed = true;
      } catch (IllegalArgumentException | UnsupportedOperationException unsupported) {
        LOG.warn("SIGHUP cannot be handled here ({}): reload with POST /admin/reload-config", unsupported.getMessage());
        return false;
      }
    }
    LISTENERS.add(listener);
    return true;
  }

  static void remove(Runnable listener) {
    LISTENERS.remove(listener);
  }
}
