package io.cwm.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events reader over a raw socket (HTTP/1.1, chunked), so a test sees the exact
 * bytes the server wrote: status, headers, and every {@code event:}/{@code data:} pair in order.
 * A reader thread decodes the chunks; {@link #END} marks the end of the stream.
 */
public final class SseClient implements AutoCloseable {
  /** One dispatched event; {@code data} is the raw data line (JSON text, unparsed). */
  public record Event(String event, String data) {}

  /** Queued when the server ended the stream (or the socket closed). */
  public static final Event END = new Event("<end>", "");

  private final Socket socket;
  private final int status;
  private final Map<String, String> headers;
  private final String errorBody;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final StringBuffer raw = new StringBuffer();
  private volatile boolean nonAscii;

  private SseClient(Socket socket, int status, Map<String, String> headers, String errorBody) {
    this.socket = socket;
    this.status = status;
    this.headers = headers;
    this.errorBody = errorBody;
  }

  /** Opens {@code GET path} with the given header name/value pairs and reads the response head. */
  public static SseClient open(int port, String path, String... headerPairs) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n")
        .append("Accept: text/event-stream\r\nCache-Control: no-cache\r\n");
    for (int i = 0; i + 1 < headerPairs.length; i += 2) {
      request.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
    }
    OutputStream out = socket.getOutputStream();
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    socket.setSoTimeout(10_000); // the head must come quickly; the body reader waits without limit
    InputStream in = new BufferedInputStream(socket.getInputStream());
    String statusLine = readLine(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      socket.close();
      return new SseClient(socket, status, headers, body);
    }
    socket.setSoTimeout(0);
    SseClient client = new SseClient(socket, status, headers, null);
    Thread reader = new Thread(() -> client.readChunks(in), "sse-test-reader");
    reader.setDaemon(true);
    reader.start();
    return client;
  }

  public int status() {
    return status;
  }

  /** A response header, by lower-case name. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The body of a non-streaming (error) response. */
  public String errorBody() {
    return errorBody;
  }

  /** The next event, or null when none came within the timeout. */
  public Event next(long timeoutMillis) throws InterruptedException {
    return events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** The next event of this type (others are skipped), or null when none came in time. */
  public Event next(String type, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      Event event = left <= 0 ? null : events.poll(left, TimeUnit.MILLISECONDS);
      if (event == null || event.event().equals(type) || event == END) {
        return event;
      }
    }
  }

  /** Everything received in the body so far, decoded as ISO-8859-1 (one char per byte). */
  public String raw() {
    return raw.toString();
  }

  /** True when any byte of the body was outside ASCII. */
  public boolean sawNonAscii() {
    return nonAscii;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private void readChunks(InputStream in) {
    StringBuilder line = new StringBuilder();
    String type = null;
    String data = null;
    try {
      while (true) {
        int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
        if (size == 0) {
          break;
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length < size) {
          break;
        }
        readLine(in); // CRLF after the chunk
        for (byte b : chunk) {
          nonAscii |= b < 0;
          char c = (char) (b & 0xff);
          raw.append(c);
          if (c != '\n') {
            line.append(c);
            continue;
          }
          String text = line.toString();
          line.setLength(0);
          if (text.isEmpty()) {
            if (type != null || data != null) {
              events.add(new Event(type == null ? "message" : type, data == null ? "" : data));
            }
            type = null;
            data = null;
          } else if (text.startsWith("event: ")) {
            type = text.substring(7);
          } else if (text.startsWith("data: ")) {
            data = text.substring(6);
          } else {
            events.add(new Event("<unexpected line>", text));
          }
        }
      }
    } catch (IOException | RuntimeException ended) {
      // socket closed by the test or by the server
    }
    events.add(END);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("end of stream");
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
