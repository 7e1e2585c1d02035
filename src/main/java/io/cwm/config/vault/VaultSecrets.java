package io.cwm.config.vault;

import io.cwm.config.Secrets;
import io.cwm.config.Substitution;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Vault secrets a config refers to, before the config is built: {@link #resolve} scans
 * the raw JSON for {@code {$vault:path#field}} references, reads each distinct path once from the
 * KV v2 engine ({@code GET /v1/<mount>/data/<path>}) and answers a {@link Secrets} snapshot that
 * {@code Substitution} consults synchronously. A config load never waits on Vault half-way.
 *
 * <p>Authentication is a static token or an AppRole login ({@code POST /v1/auth/approle/login});
 * an AppRole token is used until its lease runs out or Vault answers 403, then one new login is
 * shared by every read waiting for it. Secrets read successfully are cached per path for the
 * settings' TTL, so a reload within it asks Vault nothing; {@code refresh} or {@link #invalidate}
 * reads again. Failures (a refused path, a missing secret, permission denied, Vault unreachable)
 * become the snapshot's {@link Secrets#failure} text: never a value, never a token.
 */
public final class VaultSecrets implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VaultSecrets.class);
  /** How many reads are in flight at once, so a config with hundreds of references does not flood Vault. */
  static final int MAX_IN_FLIGHT = 8;
  private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_./-]{1,512}");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  /** A login is renewed this long before its lease ends (at most a tenth of the lease). */
  private static final Duration RENEW_MARGIN = Duration.ofSeconds(30);

  private final VaultSettings settings;
  private final WebClient client;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Object authLock = new Object();
  private String loginToken;
  private Instant loginExpires;
  private Future<String> login;

  private record Cached(Map<String, String> fields, Instant expires) {}

  /** One path's read: the secret's fields, or why there are none. */
  private record Outcome(Map<String, String> fields, String failure) {
    static Outcome failed(String why) {
      return new Outcome(null, why);
    }
  }

  /** A failure whose message is safe to show: it names paths and statuses, never values. */
  private static final class VaultFailure extends RuntimeException {
    VaultFailure(String message) {
      super(message, null, false, false);
    }
  }

  private VaultSecrets(Vertx vertx, VaultSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("cwm")
        .setConnectTimeout((int) settings.timeout().toMillis());
    if (!settings.verifyTls()) {
      options.setTrustAll(true).setVerifyHost(false);
    } else if (settings.caFile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(settings.caFile()));
    }
    this.client = WebClient.create(vertx, options);
  }

  public static VaultSecrets create(Vertx vertx, VaultSettings settings) {
    return create(vertx, settings, Clock.systemUTC());
  }

  static VaultSecrets create(Vertx vertx, VaultSettings settings, Clock clock) {
    if (!settings.verifyTls() && settings.address().regionMatches(true, 0, "https:", 0, 6)) {
      LOG.warn("Vault: VAULT_VERIFY=false: the certificate of {} is not checked", settings.address());
    }
    return new VaultSecrets(vertx, settings, clock);
  }

  /** As {@link #resolve(List, boolean)}, cached secrets younger than the TTL reused. */
  public Future<Secrets> resolve(List<JsonObject> raws) {
    return resolve(raws, false);
  }

  /**
   * Reads every secret the references in {@code raws} (the webhooks' and connections' JSON before
   * substitution) name. Never fails: what could not be read is in the snapshot's failures, and a
   * reference to it falls back to its inline default or becomes a config problem.
   *
   * @param refresh read every path from Vault even when the cache holds it (a reload that must see
   *     rotated secrets)
   */
  public Future<Secrets> resolve(List<JsonObject> raws, boolean refresh) {
    Set<String> references = new LinkedHashSet<>();
    raws.forEach(raw -> references.addAll(Substitution.vaultPaths(raw)));
    Map<String, String> failures = new HashMap<>();
    Map<String, String> pathOf = new LinkedHashMap<>();
    Map<String, Map<String, String>> known = new HashMap<>();
    Set<String> toRead = new LinkedHashSet<>();
    Instant now = clock.instant();
    for (String reference : references) {
      String path = normalize(reference);
      String refused = pathProblem(path);
      if (refused != null) {
        failures.put(reference, refused);
        continue;
      }
      pathOf.put(reference, path);
      Cached cached = refresh ? null : cache.get(path);
      if (cached != null && now.isBefore(cached.expires())) {
        known.put(path, cached.fields());
      } else {
        toRead.add(path);
      }
    }
    int fromCache = known.size();
    return readAll(toRead).map(outcomes -> {
      outcomes.forEach((path, outcome) -> {
        if (outcome.fields() != null) {
          known.put(path, outcome.fields());
          remember(path, outcome.fields());
        }
      });
      Map<String, Map<String, String>> secrets = new HashMap<>();
      pathOf.forEach((reference, path) -> {
        Map<String, String> fields = known.get(path);
        if (fields != null) {
          secrets.put(reference, fields);
        } else {
          failures.put(reference, outcomes.get(path).failure());
        }
      });
      failures.forEach((reference, why) -> LOG.warn("Vault: secret '{}' not read: {}", reference, why));
      LOG.info("Vault: {} secret path(s) referenced: {} read, {} from the cache, {} failed", references.size(),
          toRead.size(), fromCache, failures.size());
      return new Snapshot(Map.copyOf(secrets), Map.copyOf(failures));
    });
  }

  /** Forgets every cached secret: the next {@link #resolve} reads all of them from Vault. */
  public void invalidate() {
    cache.clear();
  }

  @Override
  public void close() {
    client.close();
  }

  /** The path as Python's resolver reads it: surrounding blanks and slashes do not count. */
  static String normalize(String reference) {
    String path = reference.strip();
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

  /** Why a (normalized) path may not be read, or null: the path rules of security-notes §8. */
  static String pathProblem(String path) {
    if (path.isEmpty()) {
      return "the secret path is empty";
    }
    if (path.contains("..") || path.contains("//") || path.startsWith("./") || path.endsWith("/.")
        || path.contains("/./") || path.equals(".")) {
      return "the secret path '" + path + "' is refused: no '..', '.' or empty segments";
    }
    if (!PATH.matcher(path).matches()) {
      return "the secret path is refused: only letters, digits, '_', '.', '/' and '-' (up to 512)";
    }
    return null;
  }

  private void remember(String path, Map<String, String> fields) {
    if (settings.cacheTtl().isZero()) {
      return;
    }
    Instant now = clock.instant();
    if (!cache.containsKey(path) && cache.size() >= settings.cacheMaxSize()) {
      cache.values().removeIf(cached -> !now.isBefore(cached.expires()));
      while (cache.size() >= settings.cacheMaxSize()) {
        cache.entrySet().stream().min(Comparator.comparing(entry -> entry.getValue().expires()))
            .ifPresent(oldest -> cache.remove(oldest.getKey()));
      }
    }
    cache.put(path, new Cached(fields, now.plus(settings.cacheTtl())));
  }

  private Future<Map<String, Outcome>> readAll(Set<String> paths) {
    Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    Queue<String> queue = new ConcurrentLinkedQueue<>(paths);
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < Math.min(MAX_IN_FLIGHT, paths.size()); i++) {
      workers.add(drain(queue, outcomes));
    }
    return Future.all(workers).map(all -> outcomes);
  }

  private Future<Void> drain(Queue<String> queue, Map<String, Outcome> outcomes) {
    String path = queue.poll();
    if (path == null) {
      return Future.succeededFuture();
    }
    return read(path).compose(outcome -> {
      outcomes.put(path, outcome);
      return drain(queue, outcomes);
    });
  }

  /** One path's read; never fails (a failure is the outcome's text). */
  private Future<Outcome> read(String path) {
    return readWithToken(path, true).recover(failure -> Future.succeededFuture(Outcome.failed(describe(failure))));
  }

  private Future<Outcome> readWithToken(String path, boolean mayLogInAgain) {
    return token().compose(token -> request(client.getAbs(settings.address() + "/v1/" + settings.mount() + "/data/"
        + path), token).send().compose(response -> {
          if (response.statusCode() == 403 && settings.appRole() && mayLogInAgain) {
            forget(token);
            return readWithToken(path, false);
          }
          return Future.succeededFuture(outcome(path, response));
        }));
  }

  private Outcome outcome(String path, HttpResponse<Buffer> response) {
    String where = "'" + settings.mount() + "/data/" + path + "'";
    return switch (response.statusCode()) {
      case 200 -> {
        JsonObject data = json(response).getJsonObject("data");
        Object inner = data == null ? null : data.getValue("data");
        if (!(inner instanceof JsonObject fields)) {
          yield Outcome.failed("Vault's answer for " + where + " has no data.data object (is "
              + settings.mount() + " a KV version 2 mount?)");
        }
        Map<String, String> values = new HashMap<>();
        fields.forEach(field -> {
          Object value = field.getValue();
          if (value instanceof String text) {
            values.put(field.getKey(), text);
          } else if (value instanceof JsonObject || value instanceof JsonArray) {
            values.put(field.getKey(), value instanceof JsonObject object ? object.encode()
                : ((JsonArray) value).encode());
          } else if (value != null) {
            values.put(field.getKey(), String.valueOf(value));
          }
        });
        yield new Outcome(Map.copyOf(values), null);
      }
      case 404 -> Outcome.failed("secret not found at " + where);
      case 403 -> Outcome.failed("permission denied reading " + where + " (HTTP 403: the "
          + (settings.appRole() ? "AppRole's token" : "token in VAULT_TOKEN") + " may not read it)");
      case 503 -> Outcome.failed("Vault is sealed or unavailable (HTTP 503) reading " + where);
      default -> Outcome.failed("Vault answered HTTP " + response.statusCode() + " reading " + where);
    };
  }

  private HttpRequest<Buffer> request(HttpRequest<Buffer> request, String token) {
    request.timeout(settings.timeout().toMillis());
    if (token != null) {
      request.putHeader("X-Vault-Token", token);
    }
    if (settings.namespace() != null) {
      request.putHeader("X-Vault-Namespace", settings.namespace());
    }
    return request;
  }

  /** The token to read with: the static one, the current AppRole token, or a new login shared by every caller. */
  private Future<String> token() {
    if (!settings.appRole()) {
      return Future.succeededFuture(settings.token());
    }
    synchronized (authLock) {
      if (loginToken != null && (loginExpires == null || clock.instant().isBefore(loginExpires))) {
        return Future.succeededFuture(loginToken);
      }
      if (login == null) {
        login = logIn();
      }
      return login;
    }
  }

  private void forget(String token) {
    synchronized (authLock) {
      if (token.equals(loginToken)) {
        loginToken = null;
      }
    }
  }

  private Future<String> logIn() {
    JsonObject credentials = new JsonObject().put("role_id", settings.roleId()).put("secret_id", settings.secretId());
    return request(client.postAbs(settings.address() + "/v1/auth/approle/login"), null)
        .sendJsonObject(credentials)
        .map(response -> {
          if (response.statusCode() != 200) {
            throw new VaultFailure("AppRole login refused (HTTP " + response.statusCode()
                + "): check VAULT_ROLE_ID and VAULT_SECRET_ID and the role's policies");
          }
          JsonObject auth = json(response).getJsonObject("auth");
          String token = auth == null ? null : auth.getString("client_token");
          if (token == null || token.isBlank()) {
            throw new VaultFailure("AppRole login answered without auth.client_token");
          }
          long lease = auth.getLong("lease_duration", 0L);
          synchronized (authLock) {
            loginToken = token;
            loginExpires = lease <= 0 ? null : clock.instant().plusSeconds(lease)
                .minus(min(RENEW_MARGIN, Duration.ofSeconds(lease).dividedBy(10)));
            login = null;
          }
          LOG.info("Vault: AppRole login succeeded, token lease {} s", lease);
          return token;
        })
        .onFailure(failure -> {
          synchronized (authLock) {
            login = null;
          }
        });
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static JsonObject json(HttpResponse<Buffer> response) {
    try {
      Buffer body = response.body();
      return body == null ? new JsonObject() : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new VaultFailure("Vault answered HTTP " + response.statusCode() + " with a body that is not a JSON object");
    }
  }

  private String describe(Throwable failure) {
    if (failure instanceof VaultFailure) {
      return failure.getMessage();
    }
    String type = failure.getClass().getSimpleName();
    if (type.contains("Timeout")) {
      return "Vault at " + settings.address() + " did not answer within " + settings.timeout().toSeconds() + " s";
    }
    String why = failure instanceof ConnectException ? "connection refused"
        : failure instanceof UnknownHostException ? "unknown host"
        : failure instanceof SSLException ? "TLS failed: " + type
        : type;
    return "Vault unreachable at " + settings.address() + " (" + why + ")";
  }

  /** What one resolve read: synchronous lookups for Substitution. */
  private record Snapshot(Map<String, Map<String, String>> secrets, Map<String, String> failures) implements Secrets {
    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public String lookup(String path, String field) {
      Map<String, String> fields = secrets.get(path);
      return fields == null || fieldProblem(field) != null ? null : fields.get(field);
    }

    @Override
    public String failure(String path, String field) {
      String why = failures.get(path);
      if (why != null) {
        return why;
      }
      String refused = fieldProblem(field);
      if (refused != null) {
        return refused;
      }
      return secrets.containsKey(path) ? "the secret at '" + normalize(path) + "' has no field '" + field + "'"
          : null;
    }

    private static String fieldProblem(String field) {
      return FIELD.matcher(field).matches() && !field.contains("..") ? null
          : "the field name is refused: only letters, digits, '_', '.' and '-' (up to 128, no '..')";
    }

    @Override
    public String toString() {
      return "VaultSecrets.Snapshot[" + secrets.size() + " secrets, " + failures.size() + " failures]";
    }
  }
}
