package io.cwm.buffer;

import io.cwm.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cwm.config.ChannelSpec;

/**
 * The only code that talks to the buffer backend. Runs the {@link BufferCall}s that arrive on
 * {@code cwm.buffer.call} on it one by one (each record knows its backend method), announces stored messages on {@code cwm.stream.ready}, and requeues
 * expired leases every second. When the backend cannot be reached at start it keeps retrying in
 * the background; meanwhile every call fails with UNAVAILABLE (ingest answers 503). When it can
 * never open as configured ({@link BufferStartRefused}), start-up fails.
 */
public final class ChannelBufferVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelBufferVerticle.class);
  private static final long RECLAIM_PERIOD_MS = 1000;
  private static final long REOPEN_PERIOD_MS = 5000;
  private static final long UNAVAILABLE_LOG_PERIOD_MS = 1000;

  private final Supplier<MessageBuffer> backendFactory;
  private final Collection<ChannelSpec> channels;
  private MessageBuffer backend;
  static final long CLUSTER_READY_COALESCE_MS = 5;
  private final Set<String> clusterNoticePending = new HashSet<>();
  private volatile boolean open;
  private MessageConsumer<BufferCall<?>> consumer;
  private long reclaimTimer = -1;
  private long reopenTimer = -1;
  private long lastUnavailableLogMillis;
  private long unavailableNotLogged;

  public ChannelBufferVerticle(Supplier<MessageBuffer> backendFactory, Collection<ChannelSpec> channels) {
    this.backendFactory = backendFactory;
    this.channels = channels;
  }

  @Override
  public Future<?> start() {
    backend = backendFactory.get();
    consumer = vertx.eventBus().localConsumer(Addresses.BUFFER_CALL, this::onCall);
    reclaimTimer = vertx.setPeriodic(RECLAIM_PERIOD_MS, id -> reclaim());
    if (channels.isEmpty()) {
      LOG.debug("no webhook_connect channel configured: the message buffer stays closed");
      return consumer.completion();
    }
    return consumer.completion().compose(registered -> openBackend()).recover(refused -> {
      vertx.cancelTimer(reclaimTimer);
      return consumer.unregister().transform(done -> Future.failedFuture(refused));
    });
  }

  /**
   * Opens the backend; a backend that is unreachable is opened again every
   * {@value #REOPEN_PERIOD_MS} ms in the background, one that can never open as configured
   * ({@link BufferStartRefused}) fails start-up with its message.
   */
  private Future<Void> openBackend() {
    return backend.open(channels)
        .onSuccess(done -> {
          open = true;
          LOG.info("message buffer open ({} channels)", channels.size());
          channels.forEach(channel -> ready(channel.name()));
        })
        .recover(failure -> {
          if (failure instanceof BufferStartRefused) {
            LOG.error("message buffer cannot start: {}", failure.getMessage());
            return Future.failedFuture(failure);
          }
          LOG.error("message buffer unavailable: {}; retrying every {} s", failure.getMessage(), REOPEN_PERIOD_MS / 1000);
          reopenTimer = vertx.setTimer(REOPEN_PERIOD_MS, id -> openBackend());
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(reclaimTimer);
    vertx.cancelTimer(reopenTimer);
    return consumer.unregister().compose(done -> open ? backend.close() : Future.succeededFuture());
  }

  private void reclaim() {
    if (!open) {
      return;
    }
    for (ChannelSpec channel : channels) {
      backend.reclaimExpiredLeases(channel).onSuccess(count -> {
        if (count > 0) {
          LOG.info("[channel: {}] {} lease(s) expired without ack: requeued", channel.name(), count);
          ready(channel.name());
        }
      });
    }
  }

  private void onCall(Message<BufferCall<?>> message) {
    run(message, message.body());
  }

  /** Runs the call on the backend and answers its result, or its failure as a BufferException. */
  private <T> void run(Message<?> message, BufferCall<T> call) {
    if (!open) {
      if (call instanceof BufferCall.Ping) {
        message.reply(new BufferCall.Reply(false));
      } else {
        BufferFailures.fail(message, new BufferException(BufferException.Reason.UNAVAILABLE,
            "message buffer unavailable"));
      }
      return;
    }
    call.runOn(backend).onComplete(done -> {
      if (done.succeeded()) {
        if (call.madeReady(done.result())) {
          ready(call.channel().name());
        }
        message.reply(new BufferCall.Reply(done.result()));
      } else {
        BufferException failure = BufferFailures.fail(message, done.cause());
        if (failure.reason() == BufferException.Reason.UNAVAILABLE) {
          logUnavailable(call, done.cause());
        }
      }
    });
  }

  /**
   * One line per {@value #UNAVAILABLE_LOG_PERIOD_MS} ms at most while the backend is away (every
   * ingest call fails then: a line each flooded the log with hundreds of thousands of lines).
   */
  private void logUnavailable(BufferCall<?> call, Throwable cause) {
    long now = System.currentTimeMillis();
    if (now - lastUnavailableLogMillis < UNAVAILABLE_LOG_PERIOD_MS) {
      unavailableNotLogged++;
      return;
    }
    LOG.warn("buffer {} failed: {} ({} more buffer call(s) failed since the last line)",
        call.getClass().getSimpleName(), cause.toString(),
        unavailableNotLogged);
    lastUnavailableLogMillis = now;
    unavailableNotLogged = 0;
  }

  /**
   * Wakes the stream verticles of the channel: this process's at once; when clustered, the other
   * nodes' at most once per {@link #CLUSTER_READY_COALESCE_MS} per channel (a notice per stored
   * message crossing the network cost two clustered nodes most of their ingest rate, measured in
   * bench/cluster.sh; the other nodes also poll every 200 ms).
   */
  private void ready(String channel) {
    vertx.eventBus().publish(Addresses.STREAM_READY, channel, Addresses.LOCAL);
    if (vertx.isClustered() && clusterNoticePending.add(channel)) {
      vertx.setTimer(CLUSTER_READY_COALESCE_MS, id -> {
        clusterNoticePending.remove(channel);
        vertx.eventBus().publish(Addresses.STREAM_READY, channel);
      });
    }
  }
}
