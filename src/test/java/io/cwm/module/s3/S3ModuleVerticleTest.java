package io.cwm.module.s3;

import io.cwm.testing.Futures;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.bus.Addresses;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.testing.S3Server;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The s3 verticle on its own (calls over the event bus), where its clients can be counted: one
 * client per named connection, reused; a changed connection gets a new client and the old one is
 * closed; stop closes everything. Also the cases the receiver cannot reach easily: an endpoint
 * refused by the host rules, a closed port, no credentials at all.
 */
@ExtendWith(VertxExtension.class)
class S3ModuleVerticleTest {
  static final String BUCKET = "cwm-verticle-" + UUID.randomUUID().toString().substring(0, 8);
  static final Env LOCAL = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  static S3Server s3;
  private static final Map<S3ModuleVerticle, String> deployments = new java.util.HashMap<>();

  @BeforeAll
  static void bucket() {
    s3 = S3Server.shared();
    s3.createBucket(BUCKET);
  }

  @AfterAll
  static void cleanup() {
    s3.deleteBucket(BUCKET);
  }


  private static S3ModuleVerticle deploy(Vertx vertx, Env env) throws Exception {
    Launcher.registerCodecs(vertx);
    S3ModuleVerticle verticle = new S3ModuleVerticle(env);
    deployments.put(verticle, await(vertx.deployVerticle(verticle)));
    return verticle;
  }

  private static Future<Object> call(Vertx vertx, String prefix, String connectionName, JsonObject connection) {
    JsonObject config = new JsonObject().put("bucket", BUCKET).put("prefix", prefix);
    S3Target target = S3ModuleVerticle.TYPE.target(config, new JsonObject().put("module", "s3"), Env.of(Map.of()));
    ModuleCall call = new ModuleCall("hook", "s3", target, connectionName, connection,
        new JsonObject().put("prefix", prefix), Map.of("content-type", "application/json"), null);
    return vertx.eventBus().request(Addresses.module("s3"), call).map(reply -> reply.body());
  }

  private static ModuleFailure failure(Future<Object> call) throws Exception {
    return ModuleFailure.from(Futures.failure(call));
  }

  private static JsonObject mock() {
    return new JsonObject(s3.connectionJson());
  }

  private static int count(String prefix) {
    try (S3Client client = s3.client()) {
      return client.listObjectsV2(request -> request.bucket(BUCKET).prefix(prefix + "/")).keyCount();
    }
  }

  @Test
  void oneClientPerConnectionReusedByEveryCall(Vertx vertx) throws Exception {
    S3ModuleVerticle verticle = deploy(vertx, LOCAL);
    List<Future<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(call(vertx, "reuse", "mock", mock()));
    }
    await(Future.all(calls));
    assertEquals(10, count("reuse"));
    assertEquals(1, verticle.clientsCreated());
    // an equal connection object (a reload that changed nothing) keeps the client
    await(call(vertx, "reuse", "mock", mock().copy()));
    assertEquals(1, verticle.clientsCreated());
    assertEquals(1, verticle.openClients());
  }

  @Test
  void changedConnectionGetsANewClientAndTheOldOneCloses(Vertx vertx) throws Exception {
    S3ModuleVerticle verticle = deploy(vertx, LOCAL);
    await(call(vertx, "changed", "mock", mock()));
    await(call(vertx, "changed", "mock", mock().put("region", "eu-west-1")));
    assertEquals(2, verticle.clientsCreated());
    assertTrue(TestConnector.await(10_000, () -> verticle.openClients() == 1), () -> "open: " + verticle.openClients());
    // another name is another client
    await(call(vertx, "changed", "other", mock()));
    assertEquals(3, verticle.clientsCreated());
    assertEquals(3, count("changed"));
    await(vertx.undeploy(deployments.get(verticle)));
    assertEquals(0, verticle.openClients());
  }

  @Test
  void endpointRefusedByTheHostRulesIsAConfigFailure(Vertx vertx) throws Exception {
    deploy(vertx, Env.of(Map.of()));
    ModuleFailure failure = failure(call(vertx, "refused", "mock", mock()));
    assertEquals(Category.CONFIG, failure.category());
    assertEquals("s3 config invalid: endpoint_url", failure.getMessage());
  }

  @Test
  void closedPortIsARetryableConnectionFailure(Vertx vertx) throws Exception {
    deploy(vertx, LOCAL);
    await(call(vertx, "closed", "mock", mock())); // the SDK's first-call set-up out of the way
    int closedPort = TestServer.freePort();
    ModuleFailure failure = failure(call(vertx, "closed", "closed",
        mock().put("endpoint_url", "http://127.0.0.1:" + closedPort)));
    // refused at once; TIMEOUT (as retryable) only if a starved machine lets the 10 s attempt timeout fire first
    assertTrue(failure.category() == Category.CONNECTION || failure.category() == Category.TIMEOUT,
        failure::toString);
    assertTrue(failure.retryable());
    assertFalse(failure.getMessage().contains(String.valueOf(closedPort)), failure.getMessage());
  }

  @Test
  void noCredentialsAnywhereIsANonRetryableAuthFailure(Vertx vertx) throws Exception {
    Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_PROFILE") == null
        && System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") == null
        && !Files.exists(Path.of(System.getProperty("user.home"), ".aws")), "this machine has AWS credentials");
    String before = System.getProperty("aws.disableEc2Metadata");
    System.setProperty("aws.disableEc2Metadata", "true"); // no instance metadata lookups from tests
    try {
      S3ModuleVerticle verticle = deploy(vertx, LOCAL);
      JsonObject keyless = new JsonObject().put("type", "s3").put("endpoint_url", s3.endpoint());
      ModuleFailure failure = failure(call(vertx, "keyless", "keyless", keyless));
      assertEquals(Category.AUTH, failure.category(), failure::getMessage);
      // the failed client is not kept: the next call tries again
      failure(call(vertx, "keyless", "keyless", keyless));
      assertEquals(2, verticle.clientsCreated());
    } finally {
      if (before == null) {
        System.clearProperty("aws.disableEc2Metadata");
      } else {
        System.setProperty("aws.disableEc2Metadata", before);
      }
    }
  }
}
