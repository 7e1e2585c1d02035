package io.cwm.buffer;

import io.cwm.bus.Addresses;
import io.cwm.bus.ChannelDirectory;
import io.cwm.config.ChannelOwners;
import io.cwm.config.ChannelSpec;
import io.cwm.config.ChannelUpdate;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that talks to the buffer backend. One instance owns a share of the channels
 * ({@link io.cwm.config.ChannelOwners}) and claims them in the {@link ChannelDirectory}: it runs
 * the {@link BufferCall}s of its channels on its own event loop (each record knows its backend
 * method), announces stored messages on {@code cwm.stream.ready}, and requeues their expired
 * leases every second. When its backend cannot be reached at start it keeps retrying in the
 * background; meanwhile every call fails with UNAVAILABLE (ingest answers 503). When it can
 * never open as configured ({@link BufferStartRefused}), start-up fails. A ping (readiness) is
 * answered by any instance for all of them.
 *
 * <p>Channels at run time: a {@link ChannelUpdate} on {@link Addresses#CHANNELS_UPDATE} (after a
 * reload) extends the owners ({@link ChannelOwners#extend}); a new channel this instance owns is
 * claimed at once (its calls fail UNAVAILABLE until the backend has it) and registered on the
 * backend ({@link MessageBuffer#addChannels}), opening it first when the instance was idle; a
 * changed spec is registered again (a changed token is aligned). A channel absent from the update
 * stays as it is: owned, its leases, acks, nacks and dead letters served until it is drained.
 */
public final class ChannelBufferVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelBufferVerticle.class);
  private static final long RECLAIM_PERIOD_MS = 1000;
  private static final long REOPEN_PERIOD_MS = 5000;
  private static final long UNAVAILABLE_LOG_PERIOD_MS = 1000;

  /** Local map: instance index to whether its backend is open (instances that own channels only). */
  private static final String HEALTH_MAP = "cwm.buffer.health";

  private final Supplier<MessageBuffer> backendFactory;
  /** The channels this instance owns, with their latest spec (only ever grows). */
  private final Map<String, ChannelSpec> channels = new LinkedHashMap<>();
  /** The spec the backend last registered, per channel: a channel missing here answers UNAVAILABLE. */
  private final Map<String, ChannelSpec> registered = new HashMap<>();
  private final int index;
  /** Who owns what on this line; null: this instance is the only one (it owns every channel). */
  private ChannelOwners owners;
  private boolean registering;
  private boolean stopping;
  private long registerTimer = -1;
  private MessageConsumer<ChannelUpdate> updates;
  private MessageBuffer backend;
  private ChannelDirectory directory;
  /** Who streams each channel: ready notices go to that instance only. */
  private ChannelDirectory streams;
  private LocalMap<Integer, Boolean> health;
  private MessageConsumer<BufferCall<?>> shared;
  static final long CLUSTER_READY_COALESCE_MS = 5;
  private final Set<String> clusterNoticePending = new HashSet<>();
  private volatile boolean open;
  private MessageConsumer<BufferCall<?>> consumer;
  private long reclaimTimer = -1;
  private long reopenTimer = -1;
  private long lastUnavailableLogMillis;
  /** The stream part sharing this context ({@link #local}), or null: ready notices go to it. */
  private Consumer<String> localReady;
  private long unavailableNotLogged;
  private final BufferObserver observer;

  /** The only instance: it owns every channel. */
  public ChannelBufferVerticle(Supplier<MessageBuffer> backendFactory, Collection<ChannelSpec> channels) {
    this(backendFactory, channels, 0);
  }

  /**
   * @param channels the channels this instance owns
   * @param index this instance's number among the buffer's instances
   */
  public ChannelBufferVerticle(Supplier<MessageBuffer> backendFactory, Collection<ChannelSpec> channels, int index) {
    this(backendFactory, channels, index, BufferObserver.NONE);
  }

  /** Instance {@code index}, whose successful operations {@code observer} is told of. */
  public ChannelBufferVerticle(Supplier<MessageBuffer> backendFactory, Collection<ChannelSpec> channels, int index,
      BufferObserver observer) {
    this(backendFactory, channels, index, observer, null);
  }

  /**
   * @param owners which instance of the line owns which channel, extended by each
   *     {@link ChannelUpdate}; null when this instance is the only one
   */
  public ChannelBufferVerticle(Supplier<MessageBuffer> backendFactory, Collection<ChannelSpec> channels, int index,
      BufferObserver observer, ChannelOwners owners) {
    this.observer = observer;
    this.backendFactory = backendFactory;
    this.index = index;
    this.owners = owners;
    channels.forEach(channel -> this.channels.put(channel.name(), channel));
  }

  @Override
  public Future<?> start() {
    directory = ChannelDirectory.buffer(vertx);
    streams = ChannelDirectory.stream(vertx);
    health = vertx.sharedData().getLocalMap(HEALTH_MAP);
    updates = vertx.eventBus().localConsumer(Addresses.CHANNELS_UPDATE, message -> update(message.body()));
    if (channels.isEmpty()) {
      LOG.debug("buffer instance {} owns no webhook_connect channel: it stays idle", index);
      return updates.completion();
    }
    health.put(index, false);
    return Future.all(updates.completion(), serve()).recover(refused -> updates.unregister()
        .transform(done -> Future.failedFuture(refused)));
  }

  /**
   * Starts serving the owned channels: consumers, backend, claims. At start, or when an idle
   * instance gets its first channel from an update.
   */
  private Future<Void> serve() {
    // the shared address takes pings and calls about channels nobody owns: only owners answer it
    shared = vertx.eventBus().localConsumer(directory.sharedAddress(), this::onCall);
    consumer = vertx.eventBus().localConsumer(directory.instanceAddress(index), this::onCall);
    Future<Void> listening = Future.all(shared.completion(), consumer.completion()).mapEmpty();
    backend = backendFactory.get();
    backend.onReady(this::ready);
    reclaimTimer = vertx.setPeriodic(RECLAIM_PERIOD_MS, id -> reclaim());
    return listening.compose(done -> {
      channels.keySet().forEach(channel -> directory.claim(channel, index));
      return openBackend();
    }).recover(refused -> {
      vertx.cancelTimer(reclaimTimer);
      channels.keySet().forEach(channel -> directory.release(channel, index));
      health.remove(index);
      backend = null; // a later update tries again
      return Future.all(shared.unregister(), consumer.unregister()).transform(done -> Future.failedFuture(refused));
    });
  }

  /** A reload: see the class comment. On this instance's context (its own consumer). */
  private void update(ChannelUpdate update) {
    if (stopping) {
      return;
    }
    Map<String, ChannelSpec> configured = update.channels();
    Set<String> mine;
    if (owners == null) {
      mine = configured.keySet();
    } else {
      owners = owners.extend(configured.keySet());
      mine = new HashSet<>(owners.channelsOf(index));
    }
    List<String> added = new ArrayList<>();
    boolean changed = false;
    for (Map.Entry<String, ChannelSpec> entry : configured.entrySet()) {
      if (!mine.contains(entry.getKey()) || entry.getValue().equals(channels.get(entry.getKey()))) {
        continue;
      }
      if (channels.put(entry.getKey(), entry.getValue()) == null) {
        added.add(entry.getKey());
      }
      changed = true;
    }
    if (!changed) {
      return;
    }
    if (!added.isEmpty()) {
      LOG.info("buffer instance {} takes new channel(s) {}", index, added);
    }
    if (backend == null) {
      health.put(index, false);
      serve().onFailure(refused -> LOG.error("buffer instance {} cannot serve its new channel(s): {}", index,
          refused.getMessage()));
      return;
    }
    added.forEach(channel -> directory.claim(channel, index));
    if (open) {
      registerChanged();
    } // else the open under way, or the next attempt, registers them
  }

  /**
   * Registers on the open backend every channel whose latest spec it does not have yet, one batch
   * at a time; a failure is retried every {@value #REOPEN_PERIOD_MS} ms.
   */
  private void registerChanged() {
    List<ChannelSpec> pending = channels.values().stream()
        .filter(spec -> !spec.equals(registered.get(spec.name()))).toList();
    if (pending.isEmpty() || registering || !open || stopping) {
      return;
    }
    vertx.cancelTimer(registerTimer); // this attempt replaces a retry still waiting
    registering = true;
    backend.addChannels(pending).onComplete(done -> {
      registering = false;
      if (done.failed()) {
        LOG.error("buffer instance {}: channel(s) {} not registered on the backend: {}; retrying every {} s", index,
            pending.stream().map(ChannelSpec::name).toList(), done.cause().getMessage(), REOPEN_PERIOD_MS / 1000);
        registerTimer = vertx.setTimer(REOPEN_PERIOD_MS, id -> registerChanged());
        return;
      }
      pending.forEach(spec -> {
        boolean isNew = registered.put(spec.name(), spec) == null;
        if (isNew) {
          ready(spec.name());
        }
      });
      registerChanged(); // what an update brought meanwhile
    });
  }

  /**
   * Opens the backend; a backend that is unreachable is opened again every
   * {@value #REOPEN_PERIOD_MS} ms in the background, one that can never open as configured
   * ({@link BufferStartRefused}) fails start-up with its message.
   */
  private Future<Void> openBackend() {
    List<ChannelSpec> opening = List.copyOf(channels.values());
    return backend.open(opening)
        .onSuccess(done -> {
          open = true;
          health.put(index, true);
          LOG.info("message buffer open ({} channels on instance {})", opening.size(), index);
          opening.forEach(channel -> registered.put(channel.name(), channel));
          opening.forEach(channel -> ready(channel.name()));
          registerChanged();
        })
        .recover(failure -> {
          if (failure instanceof BufferStartRefused) {
            LOG.error("message buffer cannot start: {}", failure.getMessage());
            return Future.failedFuture(failure);
          }
          LOG.error("message buffer unavailable: {}; retrying every {} s", failure.getMessage(), REOPEN_PERIOD_MS / 1000);
          health.put(index, false);
          reopenTimer = vertx.setTimer(REOPEN_PERIOD_MS, id -> openBackend());
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(reclaimTimer);
    vertx.cancelTimer(reopenTimer);
    vertx.cancelTimer(registerTimer);
    Future<Void> unregistered = updates.unregister();
    if (backend == null) {
      return unregistered;
    }
    channels.keySet().forEach(channel -> directory.release(channel, index));
    health.remove(index);
    return Future.all(unregistered, shared.unregister(), consumer.unregister())
        .compose(done -> open ? backend.close() : Future.succeededFuture());
  }

  private void reclaim() {
    if (!open) {
      return;
    }
    for (ChannelSpec channel : channels.values()) {
      if (!registered.containsKey(channel.name())) {
        continue;
      }
      backend.reclaimExpiredLeases(channel).onSuccess(count -> {
        if (count > 0) {
          LOG.info("[channel: {}] {} lease(s) expired without ack: requeued", channel.name(), count);
          observe(() -> observer.leasesExpired(channel, count));
          ready(channel.name());
        }
      });
    }
  }

  private void onCall(Message<BufferCall<?>> message) {
    call(message.body()).onComplete(done -> {
      if (done.succeeded()) {
        message.reply(new BufferCall.Reply(done.result()));
      } else {
        BufferFailures.fail(message, done.cause());
      }
    });
  }

  /**
   * Runs the call on the backend: its result, or its failure as a BufferException. Called on this
   * verticle's context only (its event-bus address, or the stream part of a {@code channel}
   * verticle sharing the context: {@link #local}).
   */
  private <T> Future<T> call(BufferCall<T> call) {
    if (call instanceof BufferCall.Ping && (!open || health.containsValue(false))) {
      @SuppressWarnings("unchecked")
      Future<T> down = (Future<T>) Future.succeededFuture(false); // up only when every instance's backend is open
      return down;
    }
    if (call.channel() != null && !owns(call.channel())) {
      return Future.failedFuture(new BufferException(BufferException.Reason.UNKNOWN_CHANNEL,
          "unknown channel " + call.channel().name()));
    }
    if (!open || call.channel() != null && !registered.containsKey(call.channel().name())) {
      return Future.failedFuture(new BufferException(BufferException.Reason.UNAVAILABLE, "message buffer unavailable"));
    }
    return call.runOn(backend).transform(done -> {
      if (done.succeeded()) {
        if (observer != BufferObserver.NONE) { // first: a ready notice can lease at once, on this thread
          observeCompleted(call, done.result());
        }
        if (call.madeReady(done.result())) {
          ready(call.channel().name());
        }
        return Future.succeededFuture(done.result());
      }
      BufferException failure = BufferFailures.decode(done.cause());
      if (failure.reason() == BufferException.Reason.UNAVAILABLE) {
        logUnavailable(call, done.cause());
      }
      return Future.failedFuture(failure);
    });
  }

  /**
   * This instance's buffer as a {@link MessageBuffer} for code on its own context (the stream
   * part of a {@code channel} verticle): each call runs here directly, with no event-bus round
   * trip; ready notices of the channels go to {@code onReady} (on this context, after the call
   * that made them) instead of the stream verticles' addresses.
   */
  public MessageBuffer local(Consumer<String> onReady) {
    this.localReady = onReady;
    return new BufferClient(this::call);
  }

  /** {@link #observe} without a lambda per call: this runs on every buffer operation. */
  private void observeCompleted(BufferCall<?> call, Object result) {
    try {
      observer.completed(call, result);
    } catch (RuntimeException failure) {
      LOG.warn("buffer observer failed: {}", failure.toString());
    }
  }

  /** An observer only watches: its failure is logged, never the operation's. */
  private static void observe(Runnable tell) {
    try {
      tell.run();
    } catch (RuntimeException failure) {
      LOG.warn("buffer observer failed: {}", failure.toString());
    }
  }

  private boolean owns(ChannelSpec channel) {
    return channels.containsKey(channel.name());
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
   * Wakes the stream verticles of the channel: this process's owner of the channel at once; when clustered, the other
   * nodes' at most once per {@link #CLUSTER_READY_COALESCE_MS} per channel (a notice per stored
   * message crossing the network cost two clustered nodes most of their ingest rate, measured in
   * bench/cluster.sh; the other nodes also poll every 200 ms).
   */
  private void ready(String channel) {
    String owner = localReady != null ? null : streams.readyAddress(channel);
    if (localReady != null) {
      context.runOnContext(v -> localReady.accept(channel));
    } else if (owner != null) {
      vertx.eventBus().send(owner, channel, Addresses.LOCAL);
    } else {
      vertx.eventBus().publish(Addresses.STREAM_READY, channel, Addresses.LOCAL); // no stream instance claimed it
    }
    if (vertx.isClustered() && clusterNoticePending.add(channel)) {
      vertx.setTimer(CLUSTER_READY_COALESCE_MS, id -> {
        clusterNoticePending.remove(channel);
        vertx.eventBus().publish(Addresses.STREAM_READY, channel);
      });
    }
  }
}
