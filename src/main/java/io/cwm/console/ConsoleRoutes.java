package io.cwm.console;

import io.cwm.admin.AdminAuth;
import io.cwm.admin.ConfigRoutes;
import io.cwm.buffer.Readiness;
import io.cwm.config.ChannelSpec;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.cwm.http.Edge;
import io.cwm.http.Routes;
import io.cwm.webhook.LiveConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator console (issue 17) on the admin side: {@code /console/} serves the page (static
 * files packed in the jar under {@value #WEB_ROOT}, no CDN) and {@code /console/api/*} the JSON
 * and live streams it reads. The page itself is public (it holds no data); every API call needs
 * the admin token as a bearer header, which the page keeps in memory only: no cookie, so no
 * cross-site request can borrow it, and never in a URL. The console's responses carry a strict
 * Content-Security-Policy (no inline script or style).
 *
 * <p>At most {@value #MAX_CALLS} API calls and {@value #MAX_STREAMS} live streams run at once per
 * process (429 beyond), so an open console, or many, cannot take the receiver's capacity.
 */
public final class ConsoleRoutes implements Routes {
  public static final String PATH = "/console";
  static final String API = PATH + "/api";
  static final String WEB_ROOT = "io/cwm/console/web";
  static final int MAX_CALLS = 16;
  static final int MAX_STREAMS = 16;
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
      + "form-action 'self'";

  /**
   * What the console reads.
   *
   * @param bufferBackend embedded | redis | rabbitmq
   * @param node this receiver's name (the host name)
   * @param adminPort whether the admin side has its own port
   * @param reloads the config reloader (the Config page's reload button), or null when there is none
   */
  public record Deps(LiveConfig config, AdminAuth auth, Readiness readiness, MessageTrail trail, Clock clock,
      String bufferBackend, String node, boolean adminPort, ConfigRoutes.Reloads reloads) {
    public Deps(LiveConfig config, AdminAuth auth, Readiness readiness, MessageTrail trail, Clock clock,
        String bufferBackend, String node, boolean adminPort) {
      this(config, auth, readiness, trail, clock, bufferBackend, node, adminPort, null);
    }
  }

  private final Deps deps;
  private final ChannelIndex channels;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();

  public ConsoleRoutes(Deps deps) {
    this.deps = deps;
    this.channels = new ChannelIndex(deps.config());
  }

  @Override
  public void mount(Router router, Edge edge) {
    ConsoleApi api = new ConsoleApi(deps, channels, edge.vertx());
    router.route(PATH + "*").handler(ConsoleRoutes::strictPolicy);
    router.getWithRegex("^" + PATH + "$").handler(context -> context.redirect(PATH + "/"));
    router.route(API + "/*").handler(this::authenticate);
    router.get(API + "/session").handler(api::session);
    router.get(API + "/overview").handler(api::overview);
    router.get(API + "/overview/stream").handler(stream(api::overviewStream));
    router.get(API + "/channels").handler(api::channels);
    router.get(API + "/channels/:channel/tail").handler(stream(api::tail));
    router.get(API + "/channels/:channel/messages/:message").handler(api::message);
    router.post(API + "/channels/:channel/messages/:message/dead-letter").handler(api::deadLetterMessage);
    router.get(API + "/channels/:channel/dead-letters").handler(api::deadLetters);
    router.get(API + "/config").handler(api::config);
    router.post(API + "/config/reload").handler(api::reload);
    router.route(API + "/*").handler(context -> context.fail(new CwmException(FailureCode.NOT_FOUND, "Not Found")));
    router.route(PATH + "/*").handler(StaticHandler.create(WEB_ROOT)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        .setIncludeHidden(false)
        .setMaxAgeSeconds(300));
  }

  /** Every console response: a CSP without inline script or style, and no caching of API answers. */
  private static void strictPolicy(RoutingContext context) {
    context.response().putHeader("Content-Security-Policy", CSP);
    if (context.normalizedPath().startsWith(API)) {
      context.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }
    context.next();
  }

  /** The admin token as a bearer header (never a cookie, never the query), and the concurrency gate. */
  private void authenticate(RoutingContext context) {
    CwmException refused = deps.auth().check(context.request());
    if (refused != null) {
      context.fail(refused);
      return;
    }
    if (context.normalizedPath().endsWith("/stream") || context.normalizedPath().endsWith("/tail")) {
      context.next(); // streams have their own gate
      return;
    }
    if (calls.incrementAndGet() > MAX_CALLS) {
      calls.decrementAndGet();
      context.fail(new CwmException(FailureCode.RATE_LIMITED, "Too many console requests at once; retry shortly", 1));
      return;
    }
    context.addEndHandler(done -> calls.decrementAndGet());
    context.next();
  }

  private Handler<RoutingContext> stream(Handler<RoutingContext> handler) {
    return context -> {
      if (streams.incrementAndGet() > MAX_STREAMS) {
        streams.decrementAndGet();
        context.fail(new CwmException(FailureCode.RATE_LIMITED, "Too many console streams open; close one", 5));
        return;
      }
      context.addEndHandler(gone -> streams.decrementAndGet()); // ended, failed or connection closed
      handler.handle(context);
    };
  }

  /** The channels, sorted by name, with the webhook ids that feed them. */
  static final class ChannelIndex {
    private final LiveConfig config;
    private volatile Sorted index = new Sorted(0, java.util.List.of());

    /** The channels sorted by name, for one config version. */
    private record Sorted(long version, java.util.List<ChannelSpec> channels) {}

    ChannelIndex(LiveConfig config) {
      this.config = config;
    }

    /** Sorted again only after a reload. */
    private java.util.List<ChannelSpec> sorted() {
      Sorted now = index;
      long version = config.version();
      if (now.version() != version) {
        now = new Sorted(version, config.channels().values().stream()
            .sorted(java.util.Comparator.comparing(ChannelSpec::name)).toList());
        index = now;
      }
      return now.channels();
    }

    int size() {
      return sorted().size();
    }

    /** Channels whose name or one of whose webhook ids contains {@code query} (any case); all when blank. */
    java.util.List<ChannelSpec> search(String query) {
      java.util.List<ChannelSpec> sorted = sorted();
      if (query == null || query.isBlank()) {
        return sorted;
      }
      String needle = query.trim().toLowerCase(java.util.Locale.ROOT);
      return sorted.stream().filter(channel -> channel.name().toLowerCase(java.util.Locale.ROOT).contains(needle)
          || channel.queues().keySet().stream().anyMatch(id -> id.toLowerCase(java.util.Locale.ROOT).contains(needle)))
          .toList();
    }
  }
}
