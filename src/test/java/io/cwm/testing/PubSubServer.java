package io.cwm.testing;

import com.google.protobuf.Timestamp;
import com.google.pubsub.v1.GetTopicRequest;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.PublisherGrpc;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.Topic;
import com.google.pubsub.v1.TopicName;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.StreamObserver;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Pub/Sub-speaking server for tests (the official emulator cannot be installed here): an
 * in-process gRPC server implementing the Publisher service of {@code google.pubsub.v1}
 * (Publish, GetTopic, CreateTopic) on a real loopback TCP port (grpc-netty-shaded, so a
 * {@link TcpProxy} can cut it), one JVM-wide instance. It keeps every published message by topic
 * for read-back and refuses what Pub/Sub refuses: publish to a missing topic (NOT_FOUND), a
 * message without data and attributes or with more than 100 attributes (INVALID_ARGUMENT);
 * topics marked {@link #deny} answer PERMISSION_DENIED. {@link #connection} gives a
 * connections.json entry that reaches it through the module's {@code endpoint} key.
 */
public final class PubSubServer {
  public static final String PROJECT = "cwm-test-project";
  private static PubSubServer shared;

  private final Server server;
  private final NioEventLoopGroup bosses;
  private final NioEventLoopGroup workers;
  private final ExecutorService calls;
  private final Set<String> countOnly = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Set<String> topics = ConcurrentHashMap.newKeySet();
  private final Set<String> denied = ConcurrentHashMap.newKeySet();
  private final Map<String, List<PubsubMessage>> messages = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong publishCalls = new AtomicLong();

  private PubSubServer(int port) throws Exception {
    // threads of its own (not gRPC's shared ones, which the client in this JVM uses), named for the bench's profile
    bosses = new NioEventLoopGroup(1, new DefaultThreadFactory("pubsub-test-server-boss", true));
    workers = new NioEventLoopGroup(2, new DefaultThreadFactory("pubsub-test-server", true));
    calls = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "pubsub-test-server-call");
      thread.setDaemon(true);
      return thread;
    });
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .bossEventLoopGroup(bosses)
        .workerEventLoopGroup(workers)
        .channelType(NioServerSocketChannel.class)
        .executor(calls)
        .addService(new Service())
        .build()
        .start();
  }

  /** The shared server, started on first use (stopped by a shutdown hook). */
  public static synchronized PubSubServer shared() throws Exception {
    if (shared == null) {
      PubSubServer started = new PubSubServer(TestServer.freePort());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.stop();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "pubsub-stop"));
      shared = started;
    }
    return shared;
  }

  /** A new server of its own on a free port (for tests that stop it); {@link #stop} it after. */
  public static PubSubServer start() throws Exception {
    return new PubSubServer(TestServer.freePort());
  }

  public void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    calls.shutdownNow();
    bosses.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  public int port() {
    return server.getPort();
  }

  /** A connections.json entry for the server reached at host:port (the server itself or a proxy). */
  public static JsonObject connection(String host, int port) {
    return new JsonObject().put("type", "gcp_pubsub").put("project_id", PROJECT).put("endpoint", host + ":" + port);
  }

  public JsonObject connection() {
    return connection("127.0.0.1", port());
  }

  public void createTopic(String topic) {
    topics.add(TopicName.of(PROJECT, topic).toString());
  }

  public boolean hasTopic(String topic) {
    return topics.contains(TopicName.of(PROJECT, topic).toString());
  }

  /** A topic whose messages are only counted, not kept (benchmarks). */
  public void createCountingTopic(String topic) {
    createTopic(topic);
    countOnly.add(TopicName.of(PROJECT, topic).toString());
  }

  /** Messages published to the topic so far (kept or counted). */
  public long count(String topic) {
    AtomicLong count = counts.get(TopicName.of(PROJECT, topic).toString());
    return count == null ? 0 : count.get();
  }

  /** Publishing to this topic answers PERMISSION_DENIED. */
  public void deny(String topic) {
    createTopic(topic);
    denied.add(TopicName.of(PROJECT, topic).toString());
  }

  public void deleteTopic(String topic) {
    String name = TopicName.of(PROJECT, topic).toString();
    topics.remove(name);
    denied.remove(name);
    messages.remove(name);
    countOnly.remove(name);
    counts.remove(name);
  }

  /** What the topic holds so far, in arrival order. */
  public List<PubsubMessage> messages(String topic) {
    List<PubsubMessage> stored = messages.getOrDefault(TopicName.of(PROJECT, topic).toString(), List.of());
    synchronized (stored) {
      return new ArrayList<>(stored);
    }
  }

  /** Publish RPCs answered so far (a batch is one). */
  public long publishCalls() {
    return publishCalls.get();
  }

  private final class Service extends PublisherGrpc.PublisherImplBase {
    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
      publishCalls.incrementAndGet();
      String topic = request.getTopic();
      if (!topics.contains(topic)) {
        response.onError(Status.NOT_FOUND.withDescription("Resource not found (resource=" + topic + ").")
            .asRuntimeException());
        return;
      }
      if (denied.contains(topic)) {
        response.onError(Status.PERMISSION_DENIED.withDescription("User not authorized").asRuntimeException());
        return;
      }
      for (PubsubMessage message : request.getMessagesList()) {
        if (message.getData().isEmpty() && message.getAttributesCount() == 0) {
          response.onError(Status.INVALID_ARGUMENT.withDescription("Some messages are empty").asRuntimeException());
          return;
        }
        if (message.getAttributesCount() > 100) {
          response.onError(Status.INVALID_ARGUMENT.withDescription("Too many attributes").asRuntimeException());
          return;
        }
      }
      PublishResponse.Builder answer = PublishResponse.newBuilder();
      boolean keep = !countOnly.contains(topic);
      List<PubsubMessage> stored = messages.computeIfAbsent(topic, name -> Collections.synchronizedList(new ArrayList<>()));
      counts.computeIfAbsent(topic, name -> new AtomicLong()).addAndGet(request.getMessagesCount());
      long now = System.currentTimeMillis();
      for (PubsubMessage message : request.getMessagesList()) {
        String id = Long.toString(ids.incrementAndGet());
        if (keep) {
          stored.add(message.toBuilder().setMessageId(id)
              .setPublishTime(Timestamp.newBuilder().setSeconds(now / 1000).setNanos((int) (now % 1000) * 1_000_000))
              .build());
        }
        answer.addMessageIds(id);
      }
      response.onNext(answer.build());
      response.onCompleted();
    }

    @Override
    public void getTopic(GetTopicRequest request, StreamObserver<Topic> response) {
      if (!topics.contains(request.getTopic())) {
        response.onError(Status.NOT_FOUND.withDescription("Resource not found").asRuntimeException());
        return;
      }
      response.onNext(Topic.newBuilder().setName(request.getTopic()).build());
      response.onCompleted();
    }

    @Override
    public void createTopic(Topic request, StreamObserver<Topic> response) {
      if (!topics.add(request.getName())) {
        response.onError(Status.ALREADY_EXISTS.withDescription("Resource already exists").asRuntimeException());
        return;
      }
      response.onNext(request);
      response.onCompleted();
    }
  }
}
