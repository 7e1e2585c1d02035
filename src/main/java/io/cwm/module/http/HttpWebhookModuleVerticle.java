package io.cwm.module.http;

import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.cwm.net.HostLookup;
import io.cwm.net.IpAddresses;
import io.cwm.net.TargetAddressPolicy;
import io.cwm.net.TargetUrl;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code http_webhook} module (modules.md §3.3): sends the payload as JSON (a blob as its raw
 * bytes, {@code application/octet-stream}) to the configured URL with one pooled client.
 *
 * <p>Per request the host is resolved and, unless {@code allowed_hosts} lists it, every address
 * checked against {@link TargetAddressPolicy} (loopback, private, link-local, metadata refused:
 * CONFIG); the request goes to the checked address, so DNS rebinding cannot swap it. Redirects
 * are not followed. One timer of {@code timeout} bounds lookup, connection and response.
 * Outcome: 2xx success; 5xx and 429 UNAVAILABLE; other statuses (3xx, 4xx) REJECTED; refused or
 * reset connections and unknown hosts CONNECTION; the timer TIMEOUT. Never logs URL paths,
 * header values or payloads.
 */
public final class HttpWebhookModuleVerticle extends ModuleVerticle<HttpWebhookTarget> {
  /** The module's registry name (event-bus address {@code cwm.module.http_webhook}). */
  public static final String NAME = "http_webhook";
  /** The module as the catalogue sees it. Its target is the checked {@link HttpWebhookTarget}. */
  public static final ModuleType<HttpWebhookTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> HttpWebhookTarget.fromConfig(moduleConfig),
      env -> new HttpWebhookModuleVerticle());

  private static final Logger LOG = LoggerFactory.getLogger(HttpWebhookModuleVerticle.class);
  /** Idle pooled connections close before the 5 s keep-alive of common servers does. */
  private static final int KEEP_ALIVE_SECONDS = 4;
  private static final int MAX_CONNECTIONS_PER_ADDRESS = 20;

  private HttpClientAgent client;

  public HttpWebhookModuleVerticle() {
    super(NAME, HttpWebhookTarget.class);
  }

  @Override
  protected Future<Void> startModule() {
    HttpClientOptions options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_1_1)
        .setKeepAlive(true)
        .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
        .setDecompressionSupported(false);
    client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_ADDRESS));
    return Future.succeededFuture();
  }

  @Override
  protected Future<Void> stopModule() {
    return client == null ? Future.succeededFuture() : client.close();
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, HttpWebhookTarget target) {
    Promise<Void> done = Promise.promise();
    HttpClientRequest[] sent = {null};
    long timer = vertx.setTimer(target.timeoutMillis(), id -> {
      if (done.tryFail(new ModuleFailure(Category.TIMEOUT, "target did not answer within the timeout"))
          && sent[0] != null) {
        sent[0].reset();
      }
    });
    addressFor(vertx, target.url(), target.hostAllowListed())
        .compose(address -> client.request(requestOptions(target, call, address, target.timeoutMillis())))
        .compose(request -> {
          sent[0] = request;
          if (done.future().isComplete()) {
            request.reset();
            return Future.succeededFuture();
          }
          return request.send(body(call.payload())).compose(response -> outcome(response));
        })
        .onComplete(result -> {
          vertx.cancelTimer(timer);
          if (result.succeeded()) {
            done.tryComplete();
          } else {
            done.tryFail(failure(result.cause()));
          }
        });
    return done.future().onFailure(failure -> LOG.warn("[module: http_webhook, webhook_id: {}] to {}: {}",
        call.webhookId(), target.url().forLog(), failure.getMessage()));
  }

  /**
   * The address to connect to: the host resolved and, unless allow-listed, every address it has
   * checked (a name with one internal address among public ones is refused). Also used by the
   * websocket module.
   */
  public static Future<byte[]> addressFor(Vertx vertx, TargetUrl url, boolean allowListed) {
    return HostLookup.resolve(vertx, url.host()).compose(addresses -> {
      if (!allowListed) {
        for (byte[] address : addresses) {
          String refusal = TargetAddressPolicy.refusal(address, false,
              HttpWebhookTarget.NOT_ALLOW_LISTED);
          if (refusal != null) {
            return Future.failedFuture(new ModuleFailure(Category.CONFIG, "target address not allowed: " + refusal));
          }
        }
      }
      return Future.succeededFuture(addresses.get(0));
    });
  }

  private static RequestOptions requestOptions(HttpWebhookTarget target, ModuleCall call, byte[] address,
      long timeoutMillis) {
    TargetUrl url = target.url();
    MultiMap headers = HttpHeaders.headers();
    if (target.forwardHeaders() && call.headers() != null) {
      OutgoingHeaders.copy(call.headers(), target.allowedHeaders(), headers);
    }
    headers.set(HttpHeaders.CONTENT_TYPE, call.payload() instanceof Buffer ? "application/octet-stream"
        : "application/json");
    OutgoingHeaders.copy(target.headers(), target.allowedHeaders(), headers);
    if (url.basicAuth() != null && !headers.contains(HttpHeaders.AUTHORIZATION)) {
      headers.set(HttpHeaders.AUTHORIZATION, url.basicAuth());
    }
    headers.set(HttpHeaders.HOST, url.hostHeader()); // an IPv6 host needs its brackets
    return new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(url.port(), IpAddresses.format(address)))
        .setHost(url.host())
        .setPort(url.port())
        .setSsl(url.ssl())
        .setMethod(target.method())
        .setURI(url.requestUri())
        .setHeaders(headers)
        .setFollowRedirects(false)
        .setConnectTimeout(timeoutMillis);
  }

  private static Buffer body(Object payload) {
    return payload instanceof Buffer bytes ? bytes : Buffer.buffer(Json.encode(payload));
  }

  /** The response read to its end (the connection goes back to the pool), then judged. */
  private static Future<Void> outcome(HttpClientResponse response) {
    int status = response.statusCode();
    response.handler(chunk -> { });
    return response.end().transform(read -> {
      if (status >= 200 && status < 300) {
        return Future.succeededFuture();
      }
      Category category = status >= 500 || status == 429 ? Category.UNAVAILABLE : Category.REJECTED;
      return Future.failedFuture(new ModuleFailure(category, "target answered HTTP " + status));
    });
  }

  private static ModuleFailure failure(Throwable cause) {
    if (cause instanceof ModuleFailure module) {
      return module;
    }
    if (cause instanceof ConnectTimeoutException) {
      return new ModuleFailure(Category.TIMEOUT, "connecting to target timed out");
    }
    if (cause instanceof UnknownHostException) {
      return new ModuleFailure(Category.CONNECTION, "cannot resolve target host");
    }
    return new ModuleFailure(Category.CONNECTION, "connection to target failed: " + cause.getClass().getSimpleName());
  }
}
