package io.cwm.deploy;

import static io.cwm.deploy.Manifests.at;
import static io.cwm.deploy.Manifests.container;
import static io.cwm.deploy.Manifests.containerPort;
import static io.cwm.deploy.Manifests.containers;
import static io.cwm.deploy.Manifests.map;
import static io.cwm.deploy.Manifests.maps;
import static io.cwm.deploy.Manifests.optionalMap;
import static io.cwm.deploy.Manifests.podLabels;
import static io.cwm.deploy.Manifests.podSpec;
import static io.cwm.deploy.Manifests.selects;
import static io.cwm.deploy.Manifests.string;
import static io.cwm.deploy.Manifests.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cwm.Main;
import io.cwm.config.ChannelSpec;
import io.cwm.app.ConfigLoader;
import io.cwm.config.Env;
import io.cwm.config.SecretRules;
import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.config.ConnectorConfigLoader;
import io.cwm.connector.config.ConnectorFlags;
import io.cwm.deploy.Dockerfile.Instruction;
import io.cwm.deploy.Dockerfile.Stage;
import io.cwm.deploy.Manifests.Doc;
import io.cwm.config.EdgeSettings;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.cwm.validate.ValidatorContext;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Option;

/**
 * The Dockerfile and every manifest under {@code k8s/} against each other and against the jar:
 * one image, ports, probe paths the receiver really answers (a real receiver is started with the
 * ConfigMap's files), mounted config files that load with the Deployment's environment, the
 * connector's file passing the connector's checks, RBAC, autoscaling, disruption budget, Ingress.
 * No cluster and no Docker engine are needed: the files are parsed.
 */
class DeploymentManifestsTest {
  static final Path PROJECT = Path.of(System.getProperty("cwm.project.dir", "."));
  static final String IMAGE = "ghcr.io/cwm/cwm:0.1.0";
  /** Main: {@code --port}, else env PORT, else 8000. */
  static final int JAR_DEFAULT_PORT = 8000;
  /** The Hazelcast member port when CWM_CLUSTER_PORT is not set. */
  static final int HAZELCAST_DEFAULT_PORT = 5701;
  /** Main stops within max(10, connector grace + 10) seconds of SIGTERM. */
  static final int JAR_SHUTDOWN_WAIT_SECONDS = 10;
  /**
   * /health and /ready wait for the buffer's ping (Redis: 2 s connect, 2 s ping timeout): a probe
   * with a shorter timeout would fail, and liveness would restart receivers, on a slow Redis.
   */
  static final int MIN_PROBE_TIMEOUT_SECONDS = 5;
  /** The receiver flag the clustering work adds; accepted here before Main knows it. */
  static final String CLUSTER_FLAG = "--cluster";
  static final Pattern VARIABLE = Pattern.compile("\\{\\$(?!vault:)(\\w+)(:[^}]*)?\\}");

  static Manifests k8s;
  static Dockerfile dockerfile;

  @TempDir
  Path dir;

  @BeforeAll
  static void load() throws IOException {
    k8s = Manifests.load(PROJECT.resolve("k8s"));
    dockerfile = Dockerfile.parse(PROJECT.resolve("Dockerfile"));
  }

  // ------------------------------------------------------------------ structure

  @Test
  void everyFileParsesIsListedInTheKustomizationAndIsNamespaceAgnostic() {
    assertFalse(k8s.docs.isEmpty(), "no manifests under k8s/");
    assertNotNull(k8s.kustomization, "k8s/kustomization.yaml is missing");
    Set<String> listed = new TreeSet<>(strings(k8s.kustomization, "resources"));
    Set<String> present = k8s.files.stream().map(file -> k8s.dir.relativize(file).toString())
        .filter(name -> !name.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(present, listed, "kustomization.yaml resources must list every manifest file");

    String namespace = string(k8s.kustomization, "namespace");
    assertNotNull(namespace, "kustomization.yaml sets the namespace");
    assertEquals(List.of(namespace), k8s.all("Namespace").stream().map(Doc::name).toList());
    Set<String> seen = new LinkedHashSet<>();
    for (Doc doc : k8s.docs) {
      assertNotNull(string(doc.body(), "apiVersion"), doc + ": apiVersion");
      assertNotNull(doc.kind(), doc.file() + ": kind");
      assertNotNull(doc.name(), doc + ": metadata.name");
      assertTrue(seen.add(doc.kind() + "/" + doc.name()), "duplicate " + doc);
      assertNull(at(doc.body(), "metadata", "namespace"), doc + ": no hard-coded namespace (kustomization sets it)");
      Map<String, Object> labels = optionalMap(doc.body(), "metadata", "labels");
      assertEquals("cwm", labels.get("app.kubernetes.io/name"), doc + ": app.kubernetes.io/name");
      if (!doc.kind().equals("Namespace")) {
        assertTrue(Set.of("receiver", "connector").contains(labels.get("app.kubernetes.io/component")),
            doc + ": app.kubernetes.io/component receiver or connector");
      }
      // the API server takes only strings here; an unquoted number or yes/no is a YAML trap
      labels.forEach((key, value) -> assertTrue(value instanceof String, doc + ": label " + key + " must be a string"));
      optionalMap(doc.body(), "metadata", "annotations").forEach((key, value) ->
          assertTrue(value instanceof String, doc + ": annotation " + key + " must be a string"));
    }
    // a ServiceAccount subject must carry its namespace: the kustomization's
    for (Doc binding : k8s.all("RoleBinding")) {
      for (Map<String, Object> subject : maps(binding.body(), "subjects")) {
        if ("ServiceAccount".equals(subject.get("kind"))) {
          assertEquals(namespace, subject.get("namespace"), binding + ": subject namespace");
        }
      }
    }
  }

  @Test
  void secretsInGitHoldOnlyMarkedPlaceholders() {
    assertFalse(k8s.all("Secret").isEmpty());
    for (Doc secret : k8s.all("Secret")) {
      assertNull(at(secret.body(), "data"), secret + ": use stringData placeholders, never base64 data");
      // the jar's own rule: these values are refused at start until they are replaced
      k8s.values("Secret", secret.name()).forEach((key, value) ->
          assertEquals(SecretRules.Placeholder.REPLACE_ME, SecretRules.classify(value),
              secret + ": " + key + " must be a REPLACE_ME placeholder"));
    }
  }

  /** Applied as shipped, the receivers and the connector refuse to start, naming every placeholder. */
  @Test
  void theShippedPlaceholdersAreRefusedAtStart() throws IOException {
    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> container = container(receiver);
    Cli cli = cli(receiver, container);
    ConfigLoader.Result result = load(mountedConfigFile(receiver, container, cli.value("--webhooks", null)),
        mountedConfigFile(receiver, container, cli.value("--connections", null)), effectiveEnv(receiver, container));
    assertFalse(result.ok(), "the placeholders must not go live");
    String errors = result.errors().toString();
    for (String secretKey : k8s.values("Secret", "cwm-receiver").keySet()) {
      if (!secretKey.endsWith("_URL")) { // the Redis URL's password is Redis's to refuse
        assertTrue(errors.contains(secretKey), secretKey + " is named: " + errors);
      }
    }
    assertFalse(errors.contains("payments-channel-token"), "values are never printed: " + errors);

    Doc deployment = k8s.deployment("connector");
    Map<String, Object> connectorContainer = container(deployment);
    List<Path> files = new ArrayList<>();
    for (String file : cli(deployment, connectorContainer).values("--config")) {
      files.add(Files.writeString(dir.resolve(Path.of(file).getFileName()),
          mountedConfigFile(deployment, connectorContainer, file)));
    }
    ConnectorConfig connector = ConnectorConfigLoader.load(files, ConnectorFlags.NONE,
        Env.of(effectiveEnv(deployment, connectorContainer)), ConnectorConfigLoader.Purpose.START).connectors().get(0);
    assertNotNull(SecretRules.connectorToken(connector.source(), connector.token(), connector.cloudUrl()),
        "the connector refuses its placeholder token");
  }

  @Test
  void workloadSelectorsPickOnlyTheirOwnPods() {
    List<Doc> deployments = k8s.all("Deployment");
    assertEquals(Set.of("receiver", "connector"), deployments.stream()
        .map(d -> string(podLabels(d), "app.kubernetes.io/component")).collect(Collectors.toSet()));
    for (Doc deployment : deployments) {
      Map<String, Object> selector = map(deployment.body(), "spec", "selector", "matchLabels");
      for (Doc other : deployments) {
        assertEquals(other == deployment, selects(selector, podLabels(other)),
            deployment + "'s selector against the pods of " + other);
      }
    }
  }

  // ------------------------------------------------------------------ image

  @Test
  void everyWorkloadRunsTheOneImageTheDockerfileBuilds() throws IOException {
    Matcher version = Pattern.compile("<artifactId>cwm</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(PROJECT.resolve("pom.xml")));
    assertTrue(version.find(), "pom version");
    assertEquals(version.group(1).replace("-SNAPSHOT", ""), IMAGE.substring(IMAGE.lastIndexOf(':') + 1),
        "the image tag is the pom's version");
    for (Doc doc : k8s.docs) {
      Object labelled = at(doc.body(), "metadata", "labels", "app.kubernetes.io/version");
      assertTrue(labelled == null || labelled.equals(IMAGE.substring(IMAGE.lastIndexOf(':') + 1)),
          doc + ": app.kubernetes.io/version is the image's tag");
    }
    for (Doc deployment : k8s.all("Deployment")) {
      for (Map<String, Object> container : containers(deployment)) {
        assertEquals(IMAGE, container.get("image"), deployment + ": image");
        // args replace the image's CMD; a command would replace its ENTRYPOINT (java -jar /app/cwm.jar)
        assertNull(container.get("command"), deployment + ": no command, the image's ENTRYPOINT runs the jar");
      }
    }

    assertTrue(dockerfile.stages.size() >= 2, "multi-stage build");
    Stage build = dockerfile.build();
    Stage runtime = dockerfile.runtime();
    assertTrue(build.base().startsWith("maven:3.9-eclipse-temurin-17"), "build stage: " + build.base());
    assertNotNull(build.alias(), "build stage is named");
    assertTrue(runtime.base().startsWith("eclipse-temurin:17-jre"), "runtime stage: " + runtime.base());

    // the pom is copied alone and its dependencies fetched before the sources arrive (layer cache)
    List<Instruction> steps = build.instructions();
    int pom = indexOf(steps, i -> i.keyword().equals("COPY") && i.operands().get(0).equals("pom.xml"));
    int offline = indexOf(steps, i -> i.keyword().equals("RUN") && i.args().contains("dependency:go-offline"));
    int sources = indexOf(steps, i -> i.keyword().equals("COPY") && i.operands().get(0).startsWith("src"));
    int pack = indexOf(steps, i -> i.keyword().equals("RUN") && i.args().matches("mvn .*\\bpackage\\b.*")
        && i.args().contains("-DskipTests"));
    assertTrue(pom >= 0 && pom < offline && offline < sources && sources < pack,
        "COPY pom.xml, RUN go-offline, COPY src, RUN mvn package: " + steps);

    // the jar the build writes (the shade plugin's outputFile) is the one the runtime copies and runs
    String pomText = Files.readString(PROJECT.resolve("pom.xml"));
    assertTrue(pomText.contains("<outputFile>${project.build.directory}/cwm.jar</outputFile>"), "shade outputFile");
    String buildDir = build.last("WORKDIR").args();
    Instruction copyJar = runtime.all("COPY").stream().filter(i -> build.alias().equals(i.flags().get("from")))
        .findFirst().orElseGet(() -> fail("runtime stage copies nothing from the build stage"));
    assertEquals(List.of(buildDir + "/target/cwm.jar", "/app/cwm.jar"), copyJar.operands());
    assertEquals(List.of("java", "-jar", "/app/cwm.jar"), runtime.last("ENTRYPOINT").execForm());
    assertTrue(runtime.env().getOrDefault("JAVA_TOOL_OPTIONS", "").contains("-XX:MaxRAMPercentage="),
        "container-aware heap: " + runtime.env());

    // what the build copies is in the build context (.dockerignore is an allow-list)
    List<String> ignore = Files.readAllLines(PROJECT.resolve(".dockerignore")).stream().map(String::trim)
        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    assertEquals("*", ignore.get(0), ".dockerignore starts by excluding everything");
    for (Instruction copy : build.all("COPY")) {
      List<String> operands = copy.operands();
      for (String source : operands.subList(0, operands.size() - 1)) {
        assertTrue(ignore.contains("!" + source), ".dockerignore must let " + source + " into the context");
      }
    }
    // the pom packs the root verticles.json into the jar: the build must copy it
    assertTrue(build.all("COPY").stream().anyMatch(i -> i.operands().get(0).equals("verticles.json")),
        "the build copies verticles.json");
  }

  @Test
  void imageAndPodsRunAsTheSameNonRootUserWithARestrictedContext() {
    String user = dockerfile.runtime().last("USER").args();
    assertTrue(user.matches("[1-9][0-9]*(:[0-9]+)?"), "numeric non-root USER (runAsNonRoot verifies it): " + user);
    int uid = Integer.parseInt(user.split(":")[0]);
    String setup = dockerfile.runtime().all("RUN").stream().map(Instruction::args).collect(Collectors.joining(" "));
    assertTrue(setup.contains("--uid " + uid), "the image creates user " + uid);
    assertTrue(setup.matches(".*chown -R " + uid + ":[0-9]+ /var/lib/cwm.*"), "the data directory belongs to it");
    for (Doc deployment : k8s.all("Deployment")) {
      Map<String, Object> pod = map(podSpec(deployment), "securityContext");
      assertEquals(true, pod.get("runAsNonRoot"), deployment + ": runAsNonRoot");
      assertEquals(uid, pod.get("runAsUser"), deployment + ": runAsUser is the image's user");
      assertEquals("RuntimeDefault", string(pod, "seccompProfile", "type"), deployment + ": seccomp");
      for (Map<String, Object> container : containers(deployment)) {
        Map<String, Object> context = map(container, "securityContext");
        assertEquals(false, context.get("allowPrivilegeEscalation"), deployment + ": allowPrivilegeEscalation");
        assertEquals(true, context.get("readOnlyRootFilesystem"), deployment + ": readOnlyRootFilesystem");
        assertEquals(List.of("ALL"), strings(context, "capabilities", "drop"), deployment + ": drop ALL");
        // with a read-only root, everything the jar writes needs a volume
        assertWritable(deployment, container, "/tmp");
        assertWritable(deployment, container, workingDir(container));
        Map<String, String> env = effectiveEnv(deployment, container);
        Cli cli = cli(deployment, container);
        if (!cli.role().equals("connector")) {
          String data = cli.value("--data-dir", env.getOrDefault("WEBHOOK_CONNECT_DATA_DIR", "data"));
          assertWritable(deployment, container, data.startsWith("/") ? data : workingDir(container) + "/" + data);
        }
      }
    }
  }

  // ------------------------------------------------------------------ ports and probes

  @Test
  void portsAgreeAcrossImageEnvironmentContainersAndServices() {
    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> container = container(receiver);
    Map<String, String> env = effectiveEnv(receiver, container);
    Cli cli = cli(receiver, container);
    int http = Integer.parseInt(cli.value("--port", env.getOrDefault("PORT", String.valueOf(JAR_DEFAULT_PORT))));
    assertEquals(http, Manifests.namedPort(container, "http"), "containerPort 'http' is the port the jar listens on");
    String admin = cli.value("--admin-port", env.get("WEBHOOK_CONNECT_ADMIN_PORT"));
    assertEquals(admin == null ? null : Integer.valueOf(admin), Manifests.namedPort(container, "admin"),
        "containerPort 'admin' is the admin port the jar opens");
    int hazelcast = Integer.parseInt(env.getOrDefault("CWM_CLUSTER_PORT", String.valueOf(HAZELCAST_DEFAULT_PORT)));
    assertEquals(hazelcast, Manifests.namedPort(container, "hazelcast"), "containerPort 'hazelcast'");

    Set<String> exposed = dockerfile.runtime().all("EXPOSE").stream().flatMap(i -> i.words().stream())
        .map(port -> port.replace("/tcp", "")).collect(Collectors.toSet());
    assertTrue(exposed.containsAll(Set.of(String.valueOf(JAR_DEFAULT_PORT), String.valueOf(HAZELCAST_DEFAULT_PORT))),
        "EXPOSE " + exposed);
    assertEquals(JAR_DEFAULT_PORT, healthCheckUri().getPort(), "HEALTHCHECK port (PORT's default)");
    assertEquals(JAR_DEFAULT_PORT, http, "the image's EXPOSE and HEALTHCHECK assume the default port");

    // every Service selects the receiver pods only, and every targetPort is one of their ports
    for (Doc service : k8s.all("Service")) {
      Map<String, Object> selector = map(service.body(), "spec", "selector");
      assertTrue(selects(selector, podLabels(receiver)), service + " selects the receivers");
      assertFalse(selects(selector, podLabels(k8s.deployment("connector"))), service + " must not select connectors");
      for (Map<String, Object> port : maps(service.body(), "spec", "ports")) {
        Object target = port.getOrDefault("targetPort", port.get("port"));
        assertNotNull(containerPort(container, target), service + ": targetPort " + target + " is no container port");
      }
    }
    String scrapePort = string(receiver.body(), "spec", "template", "metadata", "annotations", "prometheus.io/port");
    assertEquals(admin, scrapePort, "/metrics is scraped on the admin port");
    assertEquals("none", env.get("METRICS_AUTH"), "where the scrape needs no token");
    Map<String, Object> connector = container(k8s.deployment("connector"));
    assertTrue(maps(connector, "ports").isEmpty(), "the connector serves no port");
  }

  @Test
  void probesUseThePublicPortAndAllowForTheBufferPing() {
    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> container = container(receiver);
    int http = Manifests.namedPort(container, "http");
    assertEquals("/health", string(container, "livenessProbe", "httpGet", "path"), "liveness: /health stays 200");
    assertEquals("/ready", string(container, "readinessProbe", "httpGet", "path"), "readiness: /ready");
    assertNotNull(at(container, "startupProbe", "httpGet"), "startupProbe");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      Map<String, Object> get = map(container, probe, "httpGet");
      assertEquals(http, containerPort(container, get.get("port")), probe + " reaches the public port");
      assertTrue(get.get("scheme") == null || "HTTP".equals(get.get("scheme")), probe + ": the jar speaks HTTP");
      Object timeout = at(container, probe, "timeoutSeconds");
      assertTrue(timeout instanceof Integer seconds && seconds >= MIN_PROBE_TIMEOUT_SECONDS,
          probe + ": timeoutSeconds >= " + MIN_PROBE_TIMEOUT_SECONDS + ", got " + timeout);
    }
    // the load balancer drains before SIGTERM; the jar then needs its own shutdown time
    List<String> preStop = strings(container, "lifecycle", "preStop", "exec", "command");
    assertEquals("sleep", preStop.get(0), "preStop sleeps while endpoints are updated");
    int drain = Integer.parseInt(preStop.get(1));
    Object grace = podSpec(receiver).get("terminationGracePeriodSeconds");
    assertTrue(grace instanceof Integer seconds && seconds >= drain + JAR_SHUTDOWN_WAIT_SECONDS,
        "terminationGracePeriodSeconds >= preStop " + drain + " + shutdown " + JAR_SHUTDOWN_WAIT_SECONDS + ": " + grace);

    Map<String, Object> connector = container(k8s.deployment("connector"));
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertNull(at(connector, probe, "httpGet"), "the connector serves no HTTP: no httpGet " + probe);
    }
    // its liveness probe reads the file the jar keeps fresh (CONNECTOR_HEALTH_FILE), on a writable volume
    Object command = at(connector, "livenessProbe", "exec", "command");
    assertTrue(command instanceof List<?> words && words.size() == 4 && "find".equals(words.get(0)),
        "connector liveness: find FILE -newermt '-60 seconds', got " + command);
    String file = (String) ((List<?>) command).get(1);
    String configured = null;
    for (Object variable : (List<?>) connector.get("env")) {
      Map<?, ?> env = (Map<?, ?>) variable;
      if ("CONNECTOR_HEALTH_FILE".equals(env.get("name"))) {
        configured = (String) env.get("value");
      }
    }
    assertEquals(file, configured, "the probe reads the file the jar writes");
    assertTrue(file.startsWith("/tmp/"), "the file lies on the writable /tmp volume: " + file);
  }

  /** Starts a real receiver with the ConfigMap's files and the Deployment's variables; GETs every probe path. */
  @Test
  void probePathsAndTheHealthCheckAreAnsweredByARealReceiver() throws Exception {
    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> container = container(receiver);
    Cli cli = cli(receiver, container);
    Map<String, String> env = new HashMap<>(deployedEnv(receiver, container));
    // in-process: the embedded buffer (no Redis), no cluster, TestServer's own ports
    env.keySet().removeIf(name -> name.startsWith("CWM_CLUSTER_") || name.endsWith("_URL") || name.equals("PORT")
        || name.equals("WEBHOOK_CONNECT_DATA_DIR") || name.equals("JAVA_TOOL_OPTIONS"));
    env.put("WEBHOOK_CONNECT_BUFFER", "embedded");
    int adminPort = TestServer.freePort();
    env.put("WEBHOOK_CONNECT_ADMIN_PORT", String.valueOf(adminPort));
    String webhooks = mountedConfigFile(receiver, container, cli.value("--webhooks", null));
    String connections = mountedConfigFile(receiver, container, cli.value("--connections", null));

    Set<String> paths = new LinkedHashSet<>();
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      paths.add(string(container, probe, "httpGet", "path"));
    }
    paths.add(healthCheckUri().getPath());
    try (TestServer server = TestServer.start(webhooks, connections, env)) {
      for (String path : paths) {
        HttpResponse<String> response = Http.get(server.port(), path);
        assertEquals(200, response.statusCode(), "GET " + path + ": " + response.body());
      }
      // the ConfigMap defines a channel, so readiness really pinged the buffer
      assertTrue(Http.get(server.port(), "/ready").body().contains("\"buffer\":\"up\""));
      HttpResponse<String> admin = Http.get(adminPort, "/admin/webhook-connect/health");
      assertEquals(200, admin.statusCode(), "the admin port serves the admin API: " + admin.body());
      String scrapePath = string(receiver.body(), "spec", "template", "metadata", "annotations", "prometheus.io/path");
      assertEquals(200, Http.get(adminPort, scrapePath).statusCode(), "the annotated scrape works without a token");
      assertEquals(401, Http.get(server.port(), scrapePath).statusCode(), "the public port keeps the token");
    }
  }

  // ------------------------------------------------------------------ configuration files

  @Test
  void configPathsInArgsAndTheImageCmdAreMountedConfigMapKeys() {
    for (Doc deployment : k8s.all("Deployment")) {
      for (Map<String, Object> container : containers(deployment)) {
        Cli cli = cli(deployment, container);
        List<String> files = new ArrayList<>();
        for (String option : List.of("--webhooks", "--connections", "--config", "--verticles")) {
          files.addAll(cli.values(option));
        }
        assertFalse(files.isEmpty(), deployment + ": names its config files");
        for (String file : files) {
          assertFalse(mountedConfigFile(deployment, container, file).isBlank(), deployment + ": " + file);
        }
      }
    }
    // the image's default CMD reads the files where the receiver Deployment mounts them
    Doc receiver = k8s.deployment("receiver");
    List<String> cmd = dockerfile.runtime().last("CMD").execForm();
    assertNotNull(cmd, "CMD in exec form");
    Cli imageDefault = cli("Dockerfile CMD", cmd);
    assertEquals("receiver", imageDefault.role());
    Cli deployed = cli(receiver, container(receiver));
    for (String option : List.of("--webhooks", "--connections")) {
      assertEquals(deployed.value(option, null), imageDefault.value(option, null), "CMD and Deployment: " + option);
    }
  }

  @Test
  void receiverFilesLoadWithTheDeploymentsEnvironment() throws IOException {
    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> container = container(receiver);
    Cli cli = cli(receiver, container);
    Map<String, String> env = deployedEnv(receiver, container);
    String webhooks = mountedConfigFile(receiver, container, cli.value("--webhooks", null));
    String connections = mountedConfigFile(receiver, container, cli.value("--connections", null));
    assertVariablesSet(receiver, webhooks + connections, env);

    ConfigLoader.Result result = load(webhooks, connections, env);
    assertEquals(List.of(), result.problems(), "webhooks.json and connections.json with the Deployment's env");
    assertFalse(result.snapshot().channels().isEmpty(), "the example relays a channel");
    // and without the Secret the receiver would refuse to start: the variables are really used
    Map<String, String> noSecrets = new HashMap<>(env);
    for (String secretKey : k8s.values("Secret", "cwm-receiver").keySet()) {
      noSecrets.remove(secretKey);
    }
    assertFalse(load(webhooks, connections, noSecrets).ok(), "the files depend on the Secret");
  }

  @Test
  void connectorFileLoadsAndMatchesTheReceiversChannelAndIngress() throws IOException {
    Doc deployment = k8s.deployment("connector");
    Map<String, Object> container = container(deployment);
    Cli cli = cli(deployment, container);
    assertEquals("connector", cli.role());
    // only files: then the loader without flags sees exactly what the connector starts with
    assertEquals(Set.of("--config"), cli.options().keySet(), "connector args: the role and --config only");
    assertTrue(cli.flags().isEmpty(), "connector args: no flags");
    Map<String, String> env = deployedEnv(deployment, container);
    List<Path> files = new ArrayList<>();
    StringBuilder texts = new StringBuilder();
    for (String file : cli.values("--config")) {
      String text = mountedConfigFile(deployment, container, file);
      texts.append(text);
      Path copy = dir.resolve(Path.of(file).getFileName());
      Files.writeString(copy, text);
      files.add(copy);
    }
    assertVariablesSet(deployment, texts.toString(), env);
    ConnectorConfigLoader.Result loaded = ConnectorConfigLoader.load(files, ConnectorFlags.NONE, Env.of(env),
        ConnectorConfigLoader.Purpose.START);
    assertEquals(List.of(), loaded.problems(), "connector.json with the connector's env");
    ConnectorConfig connector = loaded.connectors().get(0);

    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> receiverContainer = container(receiver);
    Cli receiverCli = cli(receiver, receiverContainer);
    Map<String, String> receiverEnv = deployedEnv(receiver, receiverContainer);
    ConfigLoader.Result channels = load(
        mountedConfigFile(receiver, receiverContainer, receiverCli.value("--webhooks", null)),
        mountedConfigFile(receiver, receiverContainer, receiverCli.value("--connections", null)), receiverEnv);
    assertTrue(channels.ok(), "the receiver's files load: " + channels.problems());
    ChannelSpec channel = channels.snapshot().channels().get(connector.channel());
    assertNotNull(channel, "the connector's channel '" + connector.channel() + "' is defined by the receiver");
    assertEquals(channel.token(), connector.token(), "both Secrets hold the same channel token");
    Set<String> hosts = k8s.all("Ingress").stream()
        .flatMap(ingress -> maps(ingress.body(), "spec", "rules").stream()).map(rule -> string(rule, "host"))
        .collect(Collectors.toSet());
    assertTrue(hosts.contains(URI.create(connector.cloudUrl()).getHost()),
        "cloud_url " + connector.cloudUrl() + " is the Ingress host " + hosts);
    assertEquals("https", URI.create(connector.cloudUrl()).getScheme(), "through the Ingress: TLS");

    Object grace = podSpec(deployment).get("terminationGracePeriodSeconds");
    double needed = Math.max(JAR_SHUTDOWN_WAIT_SECONDS, connector.shutdownGraceSeconds() + JAR_SHUTDOWN_WAIT_SECONDS);
    assertTrue(grace instanceof Integer seconds && seconds >= needed,
        "connector terminationGracePeriodSeconds >= " + needed + " (shutdown_grace_seconds + 10): " + grace);
    assertEquals(1, at(deployment.body(), "spec", "replicas"), "one connector for the channel");
  }

  @Test
  void everyEnvironmentReferenceResolvesAndArgsUseOptionsTheJarKnows() {
    for (Doc deployment : k8s.all("Deployment")) {
      for (Map<String, Object> container : containers(deployment)) {
        k8s.env(deployment, container); // asserts every ConfigMap, Secret and key it names exists
        cli(deployment, container); // asserts every option is one of Main's
      }
      for (Map<String, Object> volume : maps(podSpec(deployment), "volumes")) {
        String configMap = string(volume, "configMap", "name");
        if (configMap != null) {
          assertTrue(k8s.has("ConfigMap", configMap), deployment + ": volume of a missing ConfigMap " + configMap);
        }
        String secret = string(volume, "secret", "secretName");
        if (secret != null) {
          assertTrue(k8s.has("Secret", secret), deployment + ": volume of a missing Secret " + secret);
        }
      }
    }
  }

  // ------------------------------------------------------------------ cluster, scaling, ingress

  @Test
  void receiversClusterThroughTheHeadlessServiceWithTheRbacDiscoveryNeeds() {
    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> container = container(receiver);
    Cli cli = cli(receiver, container);
    assertTrue(cli.flags().contains(CLUSTER_FLAG), "receiver args contain " + CLUSTER_FLAG);
    Map<String, String> env = k8s.env(receiver, container);
    assertEquals("kubernetes", env.get("CWM_CLUSTER_DISCOVERY"));
    String namespace = env.get("CWM_CLUSTER_KUBERNETES_NAMESPACE");
    assertTrue(namespace == null || namespace.equals(Manifests.FIELD_REF + "metadata.namespace"),
        "the pod's own namespace (downward API): " + namespace);

    Doc headless = k8s.get("Service", env.get("CWM_CLUSTER_KUBERNETES_SERVICE"));
    assertEquals("None", string(headless.body(), "spec", "clusterIP"), headless + " is headless");
    assertEquals(true, at(headless.body(), "spec", "publishNotReadyAddresses"),
        headless + " lists members before they are ready");
    assertTrue(selects(map(headless.body(), "spec", "selector"), podLabels(receiver)));
    int hazelcast = Manifests.namedPort(container, "hazelcast");
    assertTrue(maps(headless.body(), "spec", "ports").stream().anyMatch(port ->
        Integer.valueOf(hazelcast).equals(containerPort(container, port.getOrDefault("targetPort", port.get("port"))))),
        headless + " reaches the Hazelcast port");

    String account = string(podSpec(receiver), "serviceAccountName");
    assertTrue(k8s.has("ServiceAccount", account), "ServiceAccount " + account);
    Set<String> granted = new TreeSet<>();
    for (Doc binding : k8s.all("RoleBinding")) {
      boolean bound = maps(binding.body(), "subjects").stream()
          .anyMatch(s -> "ServiceAccount".equals(s.get("kind")) && account.equals(s.get("name")));
      if (!bound) {
        continue;
      }
      assertEquals("Role", string(binding.body(), "roleRef", "kind"), binding + ": a namespaced Role");
      Doc role = k8s.get("Role", string(binding.body(), "roleRef", "name"));
      for (Map<String, Object> rule : maps(role.body(), "rules")) {
        List<String> verbs = strings(rule, "verbs");
        for (String group : strings(rule, "apiGroups")) {
          for (String resource : strings(rule, "resources")) {
            verbs.forEach(verb -> granted.add(group + "/" + resource + ":" + verb));
          }
        }
      }
    }
    for (String resource : List.of("/endpoints", "/pods", "/services", "discovery.k8s.io/endpointslices")) {
      for (String verb : List.of("get", "list")) {
        assertTrue(granted.contains(resource + ":" + verb), "Hazelcast discovery needs " + verb + " " + resource
            + "; granted " + granted);
      }
    }
    assertTrue(granted.stream().allMatch(g -> g.endsWith(":get") || g.endsWith(":list")), "read-only: " + granted);
  }

  @Test
  void autoscalerAndDisruptionBudgetCoverTheReceivers() {
    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> container = container(receiver);
    assertEquals(3, at(receiver.body(), "spec", "replicas"));
    Map<String, Object> resources = map(container, "resources");
    for (String bound : List.of("requests", "limits")) {
      assertNotNull(at(resources, bound, "cpu"), "resources." + bound + ".cpu");
      assertNotNull(at(resources, bound, "memory"), "resources." + bound + ".memory (the heap is a share of it)");
    }

    List<Doc> autoscalers = k8s.all("HorizontalPodAutoscaler");
    assertEquals(1, autoscalers.size());
    Map<String, Object> hpa = autoscalers.get(0).body();
    assertEquals("autoscaling/v2", hpa.get("apiVersion"));
    assertEquals("Deployment", string(hpa, "spec", "scaleTargetRef", "kind"));
    assertEquals(receiver.name(), string(hpa, "spec", "scaleTargetRef", "name"), "the HPA scales the receivers");
    assertEquals(at(receiver.body(), "spec", "replicas"), at(hpa, "spec", "minReplicas"));
    assertEquals(10, at(hpa, "spec", "maxReplicas"));
    Map<String, Object> cpu = maps(hpa, "spec", "metrics").stream()
        .filter(metric -> "cpu".equals(string(metric, "resource", "name"))).findFirst()
        .orElseGet(() -> fail("a CPU metric"));
    assertEquals("Utilization", string(cpu, "resource", "target", "type"));
    assertEquals(70, at(cpu, "resource", "target", "averageUtilization"));

    List<Doc> budgets = k8s.all("PodDisruptionBudget");
    assertEquals(1, budgets.size());
    Map<String, Object> pdb = budgets.get(0).body();
    assertEquals("policy/v1", pdb.get("apiVersion"));
    Map<String, Object> selector = map(pdb, "spec", "selector", "matchLabels");
    assertTrue(selects(selector, podLabels(receiver)), "the PDB covers the receivers");
    assertFalse(selects(selector, podLabels(k8s.deployment("connector"))), "and not the connectors");
    Object minAvailable = at(pdb, "spec", "minAvailable");
    assertEquals(2, minAvailable);
    assertTrue((Integer) minAvailable < (Integer) at(hpa, "spec", "minReplicas"), "drains can proceed");
  }

  @Test
  void ingressRoutesWebhooksAndStreamsToTheReceiverServiceWithTls() {
    Doc receiver = k8s.deployment("receiver");
    Map<String, Object> container = container(receiver);
    List<Doc> ingresses = k8s.all("Ingress");
    assertEquals(1, ingresses.size());
    Doc ingress = ingresses.get(0);
    Set<String> tlsHosts = new LinkedHashSet<>();
    for (Map<String, Object> tls : maps(ingress.body(), "spec", "tls")) {
      assertNotNull(tls.get("secretName"), ingress + ": tls secretName");
      tlsHosts.addAll(strings(tls, "hosts"));
    }
    Set<String> paths = new LinkedHashSet<>();
    for (Map<String, Object> rule : maps(ingress.body(), "spec", "rules")) {
      assertTrue(tlsHosts.contains(string(rule, "host")), ingress + ": host " + rule.get("host") + " has TLS");
      for (Map<String, Object> path : maps(rule, "http", "paths")) {
        paths.add(string(path, "path"));
        Doc service = k8s.get("Service", string(path, "backend", "service", "name"));
        assertTrue(selects(map(service.body(), "spec", "selector"), podLabels(receiver)), service + ": receivers");
        Object port = at(path, "backend", "service", "port", "name");
        Object number = at(path, "backend", "service", "port", "number");
        Map<String, Object> servicePort = maps(service.body(), "spec", "ports").stream()
            .filter(p -> port != null ? port.equals(p.get("name")) : number.equals(p.get("port"))).findFirst()
            .orElseGet(() -> fail(ingress + ": port " + port + "/" + number + " is not a port of " + service));
        assertEquals(Manifests.namedPort(container, "http"), containerPort(container, servicePort.get("targetPort")),
            ingress + " reaches the receivers' public port");
      }
    }
    assertTrue(paths.containsAll(Set.of("/webhook", "/connect")), "webhooks and connector streams: " + paths);
    String bodySize = string(ingress.body(), "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size");
    if (bodySize != null) {
      assertTrue(bodySize.matches("\\d+m"), bodySize);
      long bytes = Long.parseLong(bodySize.replace("m", "")) * 1024 * 1024;
      assertTrue(bytes >= EdgeSettings.MAX_WEBHOOK_BODY, "the Ingress lets through what the jar accepts: " + bodySize);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** A container's command line, parsed with Main's own option names. */
  record Cli(String role, Map<String, List<String>> options, Set<String> flags) {
    String value(String option, String fallback) {
      List<String> values = values(option);
      return values.isEmpty() ? fallback : values.get(values.size() - 1);
    }

    List<String> values(String option) {
      return options.getOrDefault(option, List.of());
    }
  }

  static Cli cli(Doc workload, Map<String, Object> container) {
    return cli(workload.toString(), strings(container, "args"));
  }

  static Cli cli(String where, List<String> args) {
    Map<String, String> canonical = new HashMap<>();
    Map<String, Boolean> takesValue = new HashMap<>();
    for (Field field : Main.class.getDeclaredFields()) {
      Option option = field.getAnnotation(Option.class);
      if (option == null) {
        continue;
      }
      String name = List.of(option.names()).stream().filter(n -> n.startsWith("--")).findFirst()
          .orElse(option.names()[0]);
      for (String alias : option.names()) {
        canonical.put(alias, name);
      }
      takesValue.put(name, field.getType() != boolean.class && field.getType() != Boolean.class);
    }
    assertFalse(args.isEmpty(), where + ": args name the role");
    String role = args.get(0);
    assertTrue(List.of("receiver", "connector", "both", "check").contains(role), where + ": role " + role);
    Map<String, List<String>> options = new LinkedHashMap<>();
    Set<String> flags = new LinkedHashSet<>();
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      String given = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      String name = canonical.get(given);
      if (name == null) {
        assertTrue(given.equals(CLUSTER_FLAG) && !role.equals("connector"), where + ": unknown option " + arg);
        flags.add(CLUSTER_FLAG);
        continue;
      }
      if (takesValue.get(name)) {
        String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : i + 1 < args.size() ? args.get(++i) : null;
        assertNotNull(value, where + ": " + name + " needs a value");
        options.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      } else {
        flags.add(name);
      }
    }
    return new Cli(role, options, flags);
  }

  /** The image's ENV under the container's env, as the container sees it. */
  static Map<String, String> effectiveEnv(Doc workload, Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>(dockerfile.runtime().env());
    env.putAll(k8s.env(workload, container));
    return env;
  }

  /**
   * {@link #effectiveEnv} once the Secrets' placeholders are replaced, as the README asks before
   * applying: the same placeholder becomes the same value (the two Secrets share the channel token).
   */
  static Map<String, String> deployedEnv(Doc workload, Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>(effectiveEnv(workload, container));
    env.replaceAll((name, value) -> value.replace("REPLACE_ME", "k8s-test-secret-3f9a"));
    return env;
  }

  static String workingDir(Map<String, Object> container) {
    String workingDir = string(container, "workingDir");
    return workingDir != null ? workingDir : dockerfile.runtime().last("WORKDIR").args();
  }

  /** {@code path} lies under a writable emptyDir or persistent volume of the pod. */
  static void assertWritable(Doc workload, Map<String, Object> container, String path) {
    for (Map<String, Object> mount : maps(container, "volumeMounts")) {
      String mountPath = string(mount, "mountPath");
      if ((path.equals(mountPath) || path.startsWith(mountPath + "/")) && !Boolean.TRUE.equals(mount.get("readOnly"))) {
        Map<String, Object> volume = volume(workload, string(mount, "name"));
        if (volume.containsKey("emptyDir") || volume.containsKey("persistentVolumeClaim")) {
          return;
        }
      }
    }
    fail(workload + ": " + path + " is not on a writable volume (the root filesystem is read-only)");
  }

  static Map<String, Object> volume(Doc workload, String name) {
    return maps(podSpec(workload), "volumes").stream().filter(v -> name.equals(v.get("name"))).findFirst()
        .orElseGet(() -> fail(workload + ": volumeMount of undeclared volume " + name));
  }

  /** The content of {@code file} as the container sees it: a key of the ConfigMap mounted at its directory. */
  static String mountedConfigFile(Doc workload, Map<String, Object> container, String file) {
    assertNotNull(file, workload + ": config file option missing");
    Path path = Path.of(file);
    assertTrue(path.isAbsolute(), workload + ": " + file + " is absolute (the working directory is the data volume)");
    for (Map<String, Object> mount : maps(container, "volumeMounts")) {
      String mountPath = string(mount, "mountPath");
      String subPath = string(mount, "subPath");
      String key;
      if (subPath == null && path.getParent().toString().equals(mountPath)) {
        key = path.getFileName().toString();
      } else if (subPath != null && file.equals(mountPath)) {
        key = subPath;
      } else {
        continue;
      }
      Map<String, Object> volume = volume(workload, string(mount, "name"));
      String configMap = string(volume, "configMap", "name");
      assertNotNull(configMap, workload + ": " + mountPath + " is not a ConfigMap volume");
      for (Map<String, Object> item : maps(volume, "configMap", "items")) {
        if (key.equals(item.get("path"))) {
          key = string(item, "key");
        }
      }
      Map<String, String> data = k8s.values("ConfigMap", configMap);
      assertTrue(data.containsKey(key), workload + ": " + file + " needs key '" + key + "' in ConfigMap " + configMap
          + ", which has " + data.keySet());
      return data.get(key);
    }
    return fail(workload + ": no ConfigMap is mounted where " + file + " is read");
  }

  /** Every {$VAR} without a default in {@code text} is set in {@code env}. */
  static void assertVariablesSet(Doc workload, String text, Map<String, String> env) {
    Matcher matcher = VARIABLE.matcher(text);
    int found = 0;
    while (matcher.find()) {
      found++;
      if (matcher.group(2) == null) {
        assertTrue(env.containsKey(matcher.group(1)), workload + ": {$" + matcher.group(1) + "} is not in the env");
      }
    }
    assertTrue(found > 0, workload + ": the example takes its secrets from variables");
  }

  ConfigLoader.Result load(String webhooks, String connections, Map<String, String> env) throws IOException {
    Path webhooksFile = Files.writeString(Files.createTempFile(dir, "webhooks", ".json"), webhooks);
    Path connectionsFile = Files.writeString(Files.createTempFile(dir, "connections", ".json"), connections);
    Env variables = Env.of(env);
    return ConfigLoader.load(webhooksFile, connectionsFile, variables,
        new ValidatorContext(Clock.systemUTC(), variables, () -> {
          throw new IllegalStateException("loading makes no HTTP calls");
        }), true, true);
  }

  static URI healthCheckUri() {
    Instruction check = dockerfile.runtime().last("HEALTHCHECK");
    assertNotNull(check, "HEALTHCHECK");
    Matcher url = Pattern.compile("http://[^\\s\"']+").matcher(check.args());
    assertTrue(url.find(), "HEALTHCHECK calls a URL: " + check.args());
    // ${PORT:-8000}: the shell's default is the port used when PORT is not set
    String resolved = url.group().replaceAll("\\$\\{PORT:-(\\d+)}", "$1");
    assertTrue(check.args().contains("curl"), "HEALTHCHECK uses curl");
    assertTrue(dockerfile.runtime().all("RUN").stream().anyMatch(i -> i.args().matches(".*apt-get install .*\\bcurl\\b.*")),
        "the runtime stage installs curl for HEALTHCHECK");
    return URI.create(resolved);
  }

  private static int indexOf(List<Instruction> steps, java.util.function.Predicate<Instruction> test) {
    for (int i = 0; i < steps.size(); i++) {
      if (test.test(steps.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
