package io.cwm.http;

import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;

/**
 * Reads a request body within limits, in place of Vert.x Web's {@code BodyHandler}: a declared
 * length over {@code limit} is refused before a byte is read (413), a streamed body as soon as it
 * passes it; the bytes are taken from the process's {@link BodyBudget} before they are buffered
 * (503 + {@code Retry-After} when it is spent) and given back when the exchange ends; the
 * {@link ConnectionGuard} watches the body's pace (408 when it is too slow). Refusals fail the
 * routing context: the router's failure handler ({@link ErrorResponses}) answers and, since the body
 * was not read, closes the connection after a short drain.
 *
 * <p>The request must be paused by an earlier handler if anything asynchronous ran before this one.
 * The body is then available as {@code context.body()}.
 */
public final class BoundedBody implements Handler<RoutingContext> {
  /** Seconds a client is asked to wait when the body budget is spent. */
  static final int BUDGET_RETRY_AFTER = 5;
  private static final CwmException BUDGET_SPENT = new CwmException(FailureCode.BUSY,
      "Server busy: too many request bodies in progress, retry later", BUDGET_RETRY_AFTER);
  private static final String READ = "cwm.body.read";

  private final long limit;
  private final BodyBudget budget;
  private final ConnectionGuard guard;

  public BoundedBody(long limit, BodyBudget budget, ConnectionGuard guard) {
    this.limit = limit;
    this.budget = budget;
    this.guard = guard;
  }

  @Override
  public void handle(RoutingContext context) {
    if (context.get(READ) != null) { // re-routed: already read
      context.next();
      return;
    }
    context.put(READ, Boolean.TRUE);
    HttpServerRequest request = context.request();
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    long length = -1;
    if (declared != null) {
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        length = -2;
      }
      if (length < 0) {
        context.fail(CwmException.badRequest("Invalid Content-Length"));
        return;
      }
    }
    if (length > limit) {
      context.fail(tooLarge(length));
      return;
    }
    if ((length == 0 || (length < 0 && !chunked)) || request.isEnded()) {
      finish(context, Buffer.buffer());
      return;
    }
    Reader reader = new Reader(context, length);
    if (!reader.reserve(length > 0 ? length : 0)) {
      context.fail(BUDGET_SPENT);
      return;
    }
    context.addEndHandler(ended -> reader.releaseAll());
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.equalsIgnoreCase("100-continue") && request.version() != HttpVersion.HTTP_1_0) {
      context.response().writeContinue();
    }
    reader.start();
  }

  private CwmException tooLarge(long length) {
    return new CwmException(FailureCode.PAYLOAD_TOO_LARGE,
        "Payload too large: " + (length >= 0 ? length : "more than " + limit) + " bytes (max: " + limit + ")");
  }

  private static void finish(RoutingContext context, Buffer body) {
    // what BodyHandler does: later handlers read it with context.body()
    ((RoutingContextInternal) context).setBody(body);
    context.next();
  }

  /** One body being read. */
  private final class Reader {
    private final RoutingContext context;
    private final long declared;
    private final Buffer body;
    private long reserved;
    private boolean stopped;
    private ConnectionGuard.BodyWatch watch;

    Reader(RoutingContext context, long declared) {
      this.context = context;
      this.declared = declared;
      // a declared length is allocated once: no copies while the buffer grows
      this.body = declared > 0 ? Buffer.buffer((int) declared) : Buffer.buffer();
    }

    boolean reserve(long bytes) {
      if (bytes == 0 || budget.tryAcquire(bytes, declared >= 0 ? declared : reserved + bytes)) {
        reserved += bytes;
        return true;
      }
      return false;
    }

    void releaseAll() {
      budget.release(reserved);
      reserved = 0;
    }

    void start() {
      HttpServerRequest request = context.request();
      watch = guard.watchBody(request, () -> stop(new CwmException(FailureCode.REQUEST_TIMEOUT)));
      request.handler(this::chunk)
          .endHandler(ended -> end())
          .exceptionHandler(failure -> stopQuietly())
          .resume();
    }

    private void chunk(Buffer chunk) {
      if (stopped) {
        return;
      }
      long size = body.length() + (long) chunk.length();
      if (size > limit) {
        stop(tooLarge(declared));
        return;
      }
      if (size > reserved && !reserve(Math.max(size - reserved, BodyBudget.SMALL_BODY))) {
        stop(BUDGET_SPENT);
        return;
      }
      body.appendBuffer(chunk);
      watch.received(chunk.length());
    }

    private void end() {
      if (stopped) {
        return;
      }
      watch.done();
      finish(context, body);
    }

    /** Refuses the rest of the body; the failure handler drains it briefly and closes. */
    private void stop(CwmException refusal) {
      if (stopped) {
        return;
      }
      stopQuietly();
      context.fail(refusal);
    }

    private void stopQuietly() {
      stopped = true;
      watch.done();
    }
  }
}
