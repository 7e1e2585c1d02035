package io.cwm.ingest;

import io.cwm.analytics.EventLog;
import io.cwm.buffer.BufferClient;
import io.cwm.chain.Dispatcher;
import io.cwm.metrics.CwmMetrics;
import io.cwm.http.Edge;
import io.cwm.http.Routes;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.webhook.LiveConfig;
import io.cwm.trace.Tracing;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /webhook/{id}} and {@code POST /webhook/{namespace}/{id}}: counted, head checks
 * ({@link WebhookHandler}), the body ({@link io.cwm.http.BoundedBody}), then the body phase.
 */
public final class WebhookRoutes implements Routes {
  /**
   * What the webhook path needs, shared by every listener instance of the process.
   *
   * @param maxConcurrentTasks module tasks (direct webhooks) allowed at once ({@code MAX_CONCURRENT_TASKS})
   * @param taskTimeoutMillis how long a module or chain may take ({@code TASK_TIMEOUT})
   * @param tasksInFlight the module tasks running now, over every instance
   * @param eventLog where accepted webhooks are queued for the ClickHouse event log, or null when it is off
   */
  public record Deps(LiveConfig config, Clock clock, int maxConcurrentTasks, long taskTimeoutMillis,
      AtomicInteger tasksInFlight, StatsRecorder stats, CwmMetrics metrics, EventLog eventLog, Tracing tracing) {

    public Deps {
      tracing = tracing == null ? Tracing.OFF : tracing;
    }

    public Deps(LiveConfig config, Clock clock, int maxConcurrentTasks, long taskTimeoutMillis,
        AtomicInteger tasksInFlight, StatsRecorder stats, CwmMetrics metrics, EventLog eventLog) {
      this(config, clock, maxConcurrentTasks, taskTimeoutMillis, tasksInFlight, stats, metrics, eventLog, Tracing.OFF);
    }

    public Deps(ConfigSnapshot config, Clock clock, int maxConcurrentTasks, long taskTimeoutMillis,
        AtomicInteger tasksInFlight, StatsRecorder stats, CwmMetrics metrics, EventLog eventLog) {
      this(new LiveConfig(config), clock, maxConcurrentTasks, taskTimeoutMillis, tasksInFlight, stats, metrics,
          eventLog);
    }

    public Deps(ConfigSnapshot config, Clock clock, int maxConcurrentTasks, long taskTimeoutMillis,
        AtomicInteger tasksInFlight, StatsRecorder stats, CwmMetrics metrics) {
      this(config, clock, maxConcurrentTasks, taskTimeoutMillis, tasksInFlight, stats, metrics, null);
    }
  }

  private final Deps deps;

  public WebhookRoutes(Deps deps) {
    this.deps = deps;
  }

  @Override
  public void mount(Router router, Edge edge) {
    WebhookHandler webhooks = new WebhookHandler(deps, new Dispatcher(edge.vertx(), deps.taskTimeoutMillis()),
        new BufferClient(edge.vertx()));
    CountAnswers counted = new CountAnswers(deps.metrics());
    for (String path : List.of("/webhook/:id", "/webhook/:namespace/:id")) {
      router.post(path).handler(counted).handler(webhooks).handler(edge.webhookBody()).handler(webhooks.afterBody());
    }
  }

  /**
   * Counts every answer of the webhook path, also 404 and the 413 sent while the body streams. A
   * platform handler: it must run before the body handler of the same route.
   */
  private static final class CountAnswers implements PlatformHandler {
    private final CwmMetrics metrics;

    CountAnswers(CwmMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void handle(RoutingContext context) {
      String id = context.pathParam("id");
      context.addHeadersEndHandler(ended -> metrics.webhookReceived(id, context.response().getStatusCode()));
      context.next();
    }
  }

}
