package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.cwm.config.Env;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Hazelcast member configuration a {@code --cluster} receiver builds from CWM_CLUSTER_*. */
class ClusterSettingsTest {

  private static ClusterSettings settings(Map<String, String> env) {
    return ClusterSettings.fromEnv(Env.of(env));
  }

  @Test
  void defaultsToTcpWithNothingImplicit() {
    Config config = settings(Map.of()).hazelcast();
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled(), "no multicast unless asked for");
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("cwm", config.getClusterName());
    assertEquals(5701, config.getNetworkConfig().getPort());
  }

  @Test
  void tcpMembersHostAndPorts() {
    ClusterSettings settings = settings(Map.of("CWM_CLUSTER_MEMBERS", " 10.0.0.1:5701, 10.0.0.2 ,",
        "CWM_CLUSTER_HOST", "10.0.0.3", "CWM_CLUSTER_PORT", "5801", "CWM_CLUSTER_EVENTBUS_PORT", "5901",
        "CWM_CLUSTER_NAME", "payments"));
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2"), settings.members());
    assertEquals(5901, settings.eventBusPort());
    Config config = settings.hazelcast();
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2"), config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    assertEquals("10.0.0.3", config.getProperty("hazelcast.local.localAddress"));
    assertEquals(5801, config.getNetworkConfig().getPort());
    assertEquals("payments", config.getClusterName());
  }

  @Test
  void kubernetesDiscoveryNamesTheService() {
    Config config = settings(Map.of("CWM_CLUSTER_DISCOVERY", "Kubernetes", "CWM_CLUSTER_KUBERNETES_SERVICE",
        "cwm-hazelcast", "CWM_CLUSTER_KUBERNETES_NAMESPACE", "webhooks")).hazelcast();
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertEquals("cwm-hazelcast", join.getKubernetesConfig().getProperty("service-name"));
    assertEquals("webhooks", join.getKubernetesConfig().getProperty("namespace"));
  }

  @Test
  void badSettingsAreRefusedWithTheirName() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("CWM_CLUSTER_DISCOVERY", "gossip")))
        .getMessage().contains("CWM_CLUSTER_DISCOVERY"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> settings(Map.of("CWM_CLUSTER_DISCOVERY", "kubernetes"))).getMessage().contains("CWM_CLUSTER_KUBERNETES_SERVICE"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("CWM_CLUSTER_PORT", "70000")))
        .getMessage().contains("CWM_CLUSTER_PORT"));
  }
}
