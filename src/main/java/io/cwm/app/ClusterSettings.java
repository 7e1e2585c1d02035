package io.cwm.app;

import io.cwm.config.EnvVars;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.cwm.config.Env;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a receiver started with {@code --cluster} joins its Hazelcast cluster, from the
 * environment. Hazelcast's own defaults (multicast join, phone-home, every interface) are not
 * used: discovery is explicit.
 *
 * <ul>
 *   <li>{@code CWM_CLUSTER_DISCOVERY}: {@code tcp} (default; members from
 *       {@code CWM_CLUSTER_MEMBERS}, a comma list of {@code host[:port]}), {@code kubernetes}
 *       (Hazelcast's Kubernetes discovery through the API server: {@code
 *       CWM_CLUSTER_KUBERNETES_SERVICE} names a (headless) service, {@code
 *       CWM_CLUSTER_KUBERNETES_NAMESPACE} its namespace, else the pod's), or {@code multicast}
 *       (only where the network allows it; off unless asked for).
 *   <li>{@code CWM_CLUSTER_NAME} ({@code cwm}): members of other clusters are not joined.
 *   <li>{@code CWM_CLUSTER_HOST}: the address this member binds and announces (Hazelcast and
 *       the event bus); unset = Hazelcast's choice of interface.
 *   <li>{@code CWM_CLUSTER_PORT} (5701, the next free one is taken when busy) and
 *       {@code CWM_CLUSTER_EVENTBUS_PORT} (0 = any free port) for the clustered event bus.
 * </ul>
 */
public record ClusterSettings(String discovery, String name, List<String> members, String host, int port,
    int eventBusPort, String kubernetesService, String kubernetesNamespace) {

  public static ClusterSettings fromEnv(Env env) {
    String discovery = env.get(EnvVars.CWM_CLUSTER_DISCOVERY, "tcp").trim().toLowerCase(Locale.ROOT);
    if (!List.of("tcp", "kubernetes", "multicast").contains(discovery)) {
      throw new IllegalArgumentException("CWM_CLUSTER_DISCOVERY must be tcp, kubernetes or multicast, not '"
          + discovery + "'");
    }
    List<String> members = new ArrayList<>();
    for (String member : env.get(EnvVars.CWM_CLUSTER_MEMBERS, "").split(",")) {
      if (!member.isBlank()) {
        members.add(member.trim());
      }
    }
    String service = env.get(EnvVars.CWM_CLUSTER_KUBERNETES_SERVICE, "").trim();
    if (discovery.equals("kubernetes") && service.isEmpty()) {
      throw new IllegalArgumentException("CWM_CLUSTER_DISCOVERY=kubernetes needs CWM_CLUSTER_KUBERNETES_SERVICE");
    }
    String host = env.get(EnvVars.CWM_CLUSTER_HOST, "").trim();
    return new ClusterSettings(discovery, env.get(EnvVars.CWM_CLUSTER_NAME, "cwm").trim(), List.copyOf(members),
        host.isEmpty() ? null : host, port(env, EnvVars.CWM_CLUSTER_PORT, 5701), port(env, EnvVars.CWM_CLUSTER_EVENTBUS_PORT, 0),
        service.isEmpty() ? null : service, env.get(EnvVars.CWM_CLUSTER_KUBERNETES_NAMESPACE, "").trim());
  }

  private static int port(Env env, String name, int fallback) {
    String text = env.get(name, "").trim();
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text);
      if (value < 0 || value > 65535) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a port number, not '" + text + "'");
    }
  }

  /** The Hazelcast member configuration these settings describe. */
  public Config hazelcast() {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(name);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // Vert.x leaves the cluster on close; Hazelcast's own hook would race it
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(true);
    if (host != null) {
      config.setProperty("hazelcast.local.localAddress", host);
      config.setProperty("hazelcast.socket.bind.any", "false");
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(discovery.equals("multicast"));
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(discovery.equals("tcp")).setMembers(members);
    join.getKubernetesConfig().setEnabled(discovery.equals("kubernetes"));
    if (discovery.equals("kubernetes")) {
      join.getKubernetesConfig().setProperty("service-name", kubernetesService);
      if (!kubernetesNamespace.isEmpty()) {
        join.getKubernetesConfig().setProperty("namespace", kubernetesNamespace);
      }
    }
    return config;
  }
}
