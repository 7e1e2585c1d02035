package io.cwm.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One raw TCP connection to a local server, for what no well-behaved client does: a head sent
 * byte by byte, a body that never comes, a connection that stays silent. Reports when (and
 * whether) the server answered or closed.
 */
public final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private boolean closedByPeer;

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
  }

  public static RawConnection open(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    return new RawConnection(socket);
  }

  /** Writes; false when the server has closed the connection (write failed). */
  public boolean write(String text) {
    return write(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public boolean write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  /**
   * Reads until a whole response (head and a Content-Length body) arrived, the peer closed, or
   * {@code timeout} passed; returns what arrived (possibly empty).
   */
  public String readResponse(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!complete() && !closedByPeer) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !readSome(left)) {
        break;
      }
    }
    return text();
  }

  /** Reads until the text received so far contains {@code fragment}; false when it did not within {@code timeout}. */
  public boolean awaitText(String fragment, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!text().contains(fragment)) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || closedByPeer) {
        return false;
      }
      readSome(left);
    }
    return true;
  }

  /**
   * Reads (and keeps) whatever comes until the peer closes; returns the milliseconds that took, or
   * -1 when it was still open after {@code timeout}.
   */
  public long awaitClose(Duration timeout) throws IOException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (!closedByPeer) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !readSome(left)) {
        if (!closedByPeer) {
          return -1;
        }
      }
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  public boolean closedByPeer() {
    return closedByPeer;
  }

  /** Everything received so far, as ISO-8859-1 text. */
  public String text() {
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  /** The status code of the response received, or -1. */
  public int status() {
    String text = text();
    if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
      return -1;
    }
    return Integer.parseInt(text.substring(9, 12));
  }

  /** False on timeout; a close or reset marks the connection closed by the peer. */
  private boolean readSome(long nanos) throws IOException {
    socket.setSoTimeout((int) Math.max(1, nanos / 1_000_000));
    byte[] buffer = new byte[8192];
    try {
      int read = in.read(buffer);
      if (read < 0) {
        closedByPeer = true;
        return false;
      }
      received.write(buffer, 0, read);
      return true;
    } catch (SocketTimeoutException timeout) {
      return false;
    } catch (IOException reset) {
      closedByPeer = true;
      return false;
    }
  }

  private boolean complete() {
    return Http.complete(text());
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
