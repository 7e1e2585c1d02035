package io.cwm.buffer;

/**
 * The backend can never open as configured, so retrying cannot help (e.g. the embedded buffer's
 * data directory is held by another process): start-up fails with this message instead of
 * retrying in the background.
 */
public final class BufferStartRefused extends RuntimeException {
  public BufferStartRefused(String message) {
    super(message, null, false, false);
  }
}
