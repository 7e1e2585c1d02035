package io.cwm.config.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdSettingsTest {

  @Test
  void fileBackendOrNoneMeansNoEtcd() {
    assertTrue(EtcdSettings.fromEnv(Env.of(Map.of())).isEmpty());
    assertTrue(EtcdSettings.fromEnv(Env.of(Map.of("CONFIG_BACKEND", "file"))).isEmpty());
  }

  @Test
  void etcdBackendHasThePythonDefaults() {
    EtcdSettings settings = EtcdSettings.fromEnv(Env.of(Map.of("CONFIG_BACKEND", "etcd"))).orElseThrow();

    assertEquals(new EtcdSettings("localhost", 2379, "/cwm/", "default", null, null), settings);
    assertFalse(settings.authenticated());
  }

  @Test
  void everyVariableIsRead() {
    EtcdSettings settings = EtcdSettings.fromEnv(Env.of(Map.of("CONFIG_BACKEND", "etcd", "ETCD_HOST", "etcd.internal",
        "ETCD_PORT", "2380", "ETCD_PREFIX", "/prod/", "ETCD_NAMESPACE", "team-a", "ETCD_USERNAME", "cwm",
        "ETCD_PASSWORD", "s3cret"))).orElseThrow();

    assertEquals(new EtcdSettings("etcd.internal", 2380, "/prod/", "team-a", "cwm", "s3cret"), settings);
    assertEquals("etcd.internal:2380", settings.address());
    assertFalse(settings.toString().contains("s3cret"));
  }

  @Test
  void badValuesAreNamed() {
    assertEquals("CONFIG_BACKEND must be 'file' or 'etcd', not 'consul'", error(Map.of("CONFIG_BACKEND", "consul")));
    assertEquals("ETCD_PORT must be a port from 1 to 65535, not '70000'", error(etcd("ETCD_PORT", "70000")));
    assertEquals("ETCD_PORT must be a port from 1 to 65535, not 'abc'", error(etcd("ETCD_PORT", "abc")));
    assertEquals("ETCD_HOST must be a host name or address without scheme, port or path, not 'http://etcd'",
        error(etcd("ETCD_HOST", "http://etcd")));
    assertEquals("ETCD_PREFIX must end with '/' (keys are {prefix}{namespace}/webhooks/{id}), not '/cwm'",
        error(etcd("ETCD_PREFIX", "/cwm")));
    assertEquals("ETCD_NAMESPACE must be 1 to 64 of A-Z, a-z, 0-9, '_' and '-', not 'team/a'",
        error(etcd("ETCD_NAMESPACE", "team/a")));
    assertEquals("ETCD_USERNAME is set but ETCD_PASSWORD is not", error(etcd("ETCD_USERNAME", "cwm")));
    assertEquals("ETCD_PASSWORD is set but ETCD_USERNAME is not", error(etcd("ETCD_PASSWORD", "s3cret")));
  }

  @Test
  void connectorSettingsComeFromItsOwnVariables() {
    assertTrue(EtcdSettings.forConnector(Env.of(Map.of("CONFIG_BACKEND", "etcd"))).isEmpty());
    EtcdSettings settings = EtcdSettings.forConnector(Env.of(Map.of("CONNECTOR_ETCD_HOST", "10.0.0.5",
        "CONNECTOR_NAMESPACE", "edge"))).orElseThrow();

    assertEquals(new EtcdSettings("10.0.0.5", 2379, "/cwm/", "edge", null, null), settings);
    ConfigException bad = assertThrows(ConfigException.class, () -> EtcdSettings.forConnector(Env.of(Map.of(
        "CONNECTOR_ETCD_HOST", "etcd", "CONNECTOR_ETCD_PORT", "0"))));
    assertEquals("CONNECTOR_ETCD_PORT must be a port from 1 to 65535, not '0'", bad.getMessage());
  }

  private static Map<String, String> etcd(String name, String value) {
    return Map.of("CONFIG_BACKEND", "etcd", name, value);
  }

  private static String error(Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> EtcdSettings.fromEnv(Env.of(env))).getMessage();
  }
}
