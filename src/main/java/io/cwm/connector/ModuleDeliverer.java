package io.cwm.connector;

import io.cwm.config.ChannelSpec;
import io.cwm.chain.Dispatcher;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.webhook.LiveConfig;
import io.cwm.webhook.WebhookEntry;
import io.cwm.module.ModuleFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Module mode (spec §8.11): the message's {@code webhook_id} names an entry of the connector's
 * local webhooks.json; its module or chain runs through the same module verticles and chain
 * runner as on the receiver. Unknown id: dead letter. Failures use the module's classification,
 * so a config error is not retried forever: retryable → nack with retry after a local back-off,
 * permanent → dead letter. A local entry with {@code data_type: blob} gets the message's raw body
 * (the exact request bytes) as its payload when the receiver kept one; any other entry gets the
 * envelope's payload.
 */
public final class ModuleDeliverer implements Deliverer {
  private final LiveConfig local;
  private final boolean live;
  private final Dispatcher dispatcher;
  private final Supplier<Future<Void>> onClose;

  /** @param local the connector's webhooks.json/connections.json, loaded for the connector side */
  public ModuleDeliverer(Vertx vertx, ConfigSnapshot local, long stepTimeoutMillis) {
    this(vertx, new LiveConfig(local), false, stepTimeoutMillis, Future::succeededFuture);
  }

  /**
   * Etcd mode: the entries follow {@code local}, which the etcd watch swaps; each message is
   * delivered with the entries in force when it arrived.
   *
   * @param onClose lets go of the etcd watch when the connector stops
   */
  public ModuleDeliverer(Vertx vertx, LiveConfig local, long stepTimeoutMillis, Supplier<Future<Void>> onClose) {
    this(vertx, local, true, stepTimeoutMillis, onClose);
  }

  private ModuleDeliverer(Vertx vertx, LiveConfig local, boolean live, long stepTimeoutMillis,
      Supplier<Future<Void>> onClose) {
    this.local = local;
    this.live = live;
    this.dispatcher = new Dispatcher(vertx, stepTimeoutMillis);
    this.onClose = onClose;
  }

  /**
   * The filters of the local webhooks.json entries (the connector acks what they do not deliver),
   * or {@link DeliveryWindow.Screen#NONE} when no entry has any.
   */
  DeliveryWindow.Screen filters(String tag) {
    // live entries may gain filters later: then every message is screened
    boolean any = live || local.current().webhooks().values().stream().anyMatch(entry -> entry.filter() != null);
    return ConnectorFilters.of(any, webhookId -> {
      WebhookEntry entry = local.current().webhooks().get(webhookId);
      return entry == null ? null : entry.filter();
    }, tag, System::currentTimeMillis);
  }

  @Override
  public Future<Outcome> deliver(Delivery delivery) {
    if (delivery.webhookId() == null) {
      return Future.succeededFuture(Outcome.drop("message without webhook_id"));
    }
    WebhookEntry entry = local.current().webhooks().get(delivery.webhookId());
    if (entry == null) {
      return Future.succeededFuture(Outcome.drop(live ? "webhook id not in the connector's etcd namespace"
          : "webhook id not in the local webhooks.json"));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    delivery.headers().forEach(header -> headers.put(header.getKey(), String.valueOf(header.getValue())));
    // a local data_type blob entry gets the exact bytes the receiver kept, as a blob webhook would
    Object payload = entry.blob() && delivery.rawBody() != null ? Buffer.buffer(delivery.rawBody()) : delivery.payload();
    return dispatcher.dispatch(entry, delivery.webhookId(), payload, headers, delivery.messageId())
        .map(done -> Outcome.ack())
        .recover(failure -> {
          ModuleFailure module = ModuleFailure.from(failure);
          if (!module.retryable()) {
            return Future.succeededFuture(Outcome.drop(module.getMessage()));
          }
          // the receiver counts deliveries: back off as it would (1 s doubling to 60 s)
          long backoff = ChannelSpec.retryDelayMillis(Math.max(1, delivery.deliveryCount()));
          return Future.succeededFuture(Outcome.retry(module.getMessage(), backoff));
        });
  }

  @Override
  public Future<Void> close() {
    return onClose.get();
  }
}
