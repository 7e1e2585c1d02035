package io.cwm.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain HTTP client for tests (the JDK's), plus raw-socket requests for inputs that no
 * well-behaved client will send (CR/LF inside header values).
 */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  public static HttpResponse<String> post(int port, String path, String body, String... headers)
      throws IOException, InterruptedException {
    return send(port, "POST", path, HttpRequest.BodyPublishers.ofString(body), headers);
  }

  public static HttpResponse<String> post(int port, String path, byte[] body, String... headers)
      throws IOException, InterruptedException {
    return send(port, "POST", path, HttpRequest.BodyPublishers.ofByteArray(body), headers);
  }

  public static HttpResponse<String> get(int port, String path, String... headers)
      throws IOException, InterruptedException {
    return send(port, "GET", path, HttpRequest.BodyPublishers.noBody(), headers);
  }

  public static HttpResponse<String> send(int port, String method, String path,
      HttpRequest.BodyPublisher body, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends raw bytes and returns the raw response text (status line, headers, body). */
  public static String raw(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[65536];
      StringBuilder response = new StringBuilder();
      int read;
      while ((read = in.read(buffer)) > 0) {
        response.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
        if (complete(response)) {
          break;
        }
      }
      return response.toString();
    }
  }

  /** Whether {@code text} holds a whole HTTP response: its head and a Content-Length body. */
  static boolean complete(CharSequence text) {
    String response = text.toString();
    int headerEnd = response.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
      return false;
    }
    String head = response.substring(0, headerEnd).toLowerCase();
    int at = head.indexOf("content-length:");
    if (at < 0) {
      return true;
    }
    int end = head.indexOf("\r\n", at);
    int length = Integer.parseInt(head.substring(at + 15, end < 0 ? head.length() : end).trim());
    return response.length() - headerEnd - 4 >= length;
  }
}
