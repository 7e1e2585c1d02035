package io.cwm.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for HashiCorp Vault in tests (no Vault server can be installed here): a Vert.x HTTP
 * server on a free loopback port that speaks the parts of Vault's HTTP API cwm uses, as HashiCorp
 * documents them:
 * <ul>
 *   <li>KV secrets engine version 2, "Read secret version" ({@code GET /v1/<mount>/data/<path>}):
 *       200 {@code {"data": {"data": {...}, "metadata": {...}}}}, 404 {@code {"errors": []}} for a
 *       path without a secret, 404 "no handler for route" for a path outside every mount;</li>
 *   <li>AppRole auth method, "Login with AppRole" ({@code POST /v1/auth/approle/login} with
 *       {@code {"role_id", "secret_id"}}): 200 {@code {"auth": {"client_token", "lease_duration",
 *       ...}}}, 400 for wrong credentials;</li>
 *   <li>the API overview's conventions: the token in {@code X-Vault-Token} (403
 *       {@code {"errors": ["permission denied"]}} when missing, unknown, revoked or expired), the
 *       namespace in {@code X-Vault-Namespace}, 503 {@code {"errors": ["Vault is sealed"]}} while sealed.</li>
 *   <li>and, for timeouts, a silent mode that answers nothing.</li>
 * </ul>
 * Tests change secrets, revoke tokens and seal it between calls, and count what was asked
 * ({@link #reads()}, {@link #logins()}, {@link #requests()}).
 */
public final class VaultTestServer implements AutoCloseable {
  private final HttpServer server;
  private final Set<String> mounts = ConcurrentHashMap.newKeySet();
  private final Map<String, JsonObject> secrets = new ConcurrentHashMap<>();
  private final Map<String, Integer> versions = new ConcurrentHashMap<>();
  private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
  private final Map<String, String> approles = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> namespaces = new CopyOnWriteArrayList<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger logins = new AtomicInteger();
  private final AtomicInteger issued = new AtomicInteger();
  private volatile long leaseSeconds = 3600;
  private volatile boolean sealed;
  private volatile boolean silent;

  private final boolean tls;

  private VaultTestServer(Vertx vertx, HttpServerOptions options) {
    mounts.add("secret");
    tls = options.isSsl();
    server = vertx.createHttpServer(options).requestHandler(this::handle);
    Futures.await(server.listen(0, "127.0.0.1"));
  }

  /** A server on a free loopback port with the KV v2 mount {@code secret}, no token and no secret yet. */
  public static VaultTestServer start(Vertx vertx) {
    return new VaultTestServer(vertx, new HttpServerOptions());
  }

  /** As {@link #start}, over TLS with {@code certificate} (made for the host name {@code localhost}). */
  public static VaultTestServer startTls(Vertx vertx, SelfSignedCertificate certificate) {
    return new VaultTestServer(vertx, new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(certificate.keyCertOptions()));
  }

  /** {@code http://127.0.0.1:<port>} (or {@code https://localhost:<port>}), for {@code VAULT_ADDR}. */
  public String address() {
    return tls ? "https://localhost:" + server.actualPort() : "http://127.0.0.1:" + server.actualPort();
  }

  /** Adds a KV v2 mount besides {@code secret}. */
  public VaultTestServer mount(String path) {
    mounts.add(path);
    return this;
  }

  /** Writes a new version of the secret at {@code mount/path}. */
  public VaultTestServer put(String mount, String path, JsonObject data) {
    secrets.put(mount + "/" + path, data.copy());
    versions.merge(mount + "/" + path, 1, Integer::sum);
    return this;
  }

  /** Writes a new version of the secret at {@code secret/path}. */
  public VaultTestServer put(String path, JsonObject data) {
    return put("secret", path, data);
  }

  public void delete(String mount, String path) {
    secrets.remove(mount + "/" + path);
  }

  /** A new token that reads every mount and never expires. */
  public String issueToken() {
    String token = "hvs.test-" + issued.incrementAndGet() + "-" + UUID.randomUUID();
    tokens.put(token, Instant.MAX);
    return token;
  }

  /** Lets {@code roleId} + {@code secretId} log in; each login issues a token of {@link #leaseSeconds(long)}. */
  public VaultTestServer approle(String roleId, String secretId) {
    approles.put(roleId, secretId);
    return this;
  }

  /** The {@code lease_duration} of the tokens later AppRole logins issue (3600 unless set). */
  public VaultTestServer leaseSeconds(long seconds) {
    leaseSeconds = seconds;
    return this;
  }

  public void revoke(String token) {
    tokens.remove(token);
  }

  /** Revokes every token issued so far (static or by login). */
  public void revokeAll() {
    tokens.clear();
  }

  /** While sealed every request is answered 503. */
  public void sealed(boolean sealed) {
    this.sealed = sealed;
  }

  /** While silent requests are received and never answered (a hung Vault or network). */
  public void silent(boolean silent) {
    this.silent = silent;
  }

  /** KV reads asked for (whatever their answer). */
  public int reads() {
    return reads.get();
  }

  /** AppRole logins asked for (whatever their answer). */
  public int logins() {
    return logins.get();
  }

  /** Every request as "METHOD path", in arrival order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** The {@code X-Vault-Namespace} of every request that carried one. */
  public List<String> namespaces() {
    return List.copyOf(namespaces);
  }

  @Override
  public void close() {
    Futures.await(server.close());
  }

  private void handle(HttpServerRequest request) {
    requests.add(request.method() + " " + request.path());
    String namespace = request.getHeader("X-Vault-Namespace");
    if (namespace != null) {
      namespaces.add(namespace);
    }
    if (silent) {
      return;
    }
    if (sealed) {
      answer(request, 503, errors("Vault is sealed"));
      return;
    }
    String path = request.path();
    if (request.method() == HttpMethod.POST && path.equals("/v1/auth/approle/login")) {
      logins.incrementAndGet();
      request.body().onSuccess(body -> logIn(request, body.toJsonObject()));
      return;
    }
    if (request.method() == HttpMethod.GET && path.startsWith("/v1/")) {
      read(request, path.substring("/v1/".length()));
      return;
    }
    answer(request, 404, errors());
  }

  private void logIn(HttpServerRequest request, JsonObject credentials) {
    String roleId = credentials.getString("role_id");
    String secretId = credentials.getString("secret_id");
    if (roleId == null || secretId == null || !secretId.equals(approles.get(roleId))) {
      answer(request, 400, errors("invalid role or secret ID"));
      return;
    }
    String token = "hvs.approle-" + issued.incrementAndGet() + "-" + UUID.randomUUID();
    long lease = leaseSeconds;
    tokens.put(token, Instant.now().plusSeconds(lease));
    answer(request, 200, envelope().put("auth", new JsonObject()
        .put("client_token", token)
        .put("accessor", UUID.randomUUID().toString())
        .put("policies", new JsonArray().add("default"))
        .put("token_policies", new JsonArray().add("default"))
        .put("metadata", new JsonObject().put("role_name", "cwm"))
        .put("lease_duration", lease)
        .put("renewable", true)
        .put("entity_id", UUID.randomUUID().toString())
        .put("token_type", "service")
        .put("orphan", true)));
  }

  private void read(HttpServerRequest request, String rest) {
    reads.incrementAndGet();
    String token = request.getHeader("X-Vault-Token");
    Instant expires = token == null ? null : tokens.get(token);
    if (expires == null || !Instant.now().isBefore(expires)) {
      answer(request, 403, errors("permission denied"));
      return;
    }
    String mount = mounts.stream().filter(candidate -> rest.startsWith(candidate + "/data/")).findFirst().orElse(null);
    if (mount == null) {
      answer(request, 404, errors("no handler for route \"" + rest + "\". route entry not found."));
      return;
    }
    String key = mount + "/" + rest.substring(mount.length() + "/data/".length());
    JsonObject data = secrets.get(key);
    if (data == null) {
      answer(request, 404, errors());
      return;
    }
    answer(request, 200, envelope().put("data", new JsonObject()
        .put("data", data.copy())
        .put("metadata", new JsonObject()
            .put("created_time", Instant.now().toString())
            .putNull("custom_metadata")
            .put("deletion_time", "")
            .put("destroyed", false)
            .put("version", versions.getOrDefault(key, 1)))));
  }

  private static JsonObject envelope() {
    return new JsonObject()
        .put("request_id", UUID.randomUUID().toString())
        .put("lease_id", "")
        .put("renewable", false)
        .put("lease_duration", 0)
        .putNull("wrap_info")
        .putNull("warnings")
        .putNull("auth");
  }

  private static JsonObject errors(String... messages) {
    return new JsonObject().put("errors", new JsonArray(List.of((Object[]) messages)));
  }

  private static void answer(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
