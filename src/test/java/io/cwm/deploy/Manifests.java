package io.cwm.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Every YAML document under {@code k8s/} (multi-document files included), with lookups by kind and
 * name and the small amount of Kubernetes semantics the manifest test needs: label selection,
 * named ports, a container's environment as the kubelet would build it.
 */
final class Manifests {
  /** One parsed document and the file it came from. */
  record Doc(Path file, Map<String, Object> body) {
    String kind() {
      return Manifests.string(body, "kind");
    }

    String name() {
      return Manifests.string(body, "metadata", "name");
    }

    @Override
    public String toString() {
      return kind() + " " + name() + " (" + file.getFileName() + ")";
    }
  }

  /** Marks an environment value the kubelet fills from the pod itself (downward API). */
  static final String FIELD_REF = "fieldRef:";

  final Path dir;
  final List<Doc> docs;
  /** kustomization.yaml, parsed apart: it is not a Kubernetes object. */
  final Map<String, Object> kustomization;
  final List<Path> files;

  private Manifests(Path dir, List<Doc> docs, Map<String, Object> kustomization, List<Path> files) {
    this.dir = dir;
    this.docs = docs;
    this.kustomization = kustomization;
    this.files = files;
  }

  static Manifests load(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile)
          .filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
          .sorted().toList();
    }
    List<Doc> docs = new ArrayList<>();
    Map<String, Object> kustomization = null;
    for (Path file : files) {
      for (Object parsed : parseAll(file)) {
        if (parsed == null) {
          continue; // an empty document (a trailing ---)
        }
        Map<String, Object> body = asMap(parsed, file + ": a document");
        if ("Kustomization".equals(body.get("kind"))) {
          kustomization = body;
        } else {
          docs.add(new Doc(file, body));
        }
      }
    }
    return new Manifests(dir, List.copyOf(docs), kustomization, files);
  }

  private static List<Object> parseAll(Path file) throws IOException {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Object> result = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      yaml.loadAll(reader).forEach(result::add);
    }
    return result;
  }

  // ------------------------------------------------------------------ lookups

  List<Doc> all(String kind) {
    return docs.stream().filter(doc -> kind.equals(doc.kind())).toList();
  }

  Doc get(String kind, String name) {
    return docs.stream().filter(doc -> kind.equals(doc.kind()) && Objects.equals(name, doc.name()))
        .findFirst().orElseGet(() -> fail("no " + kind + " named '" + name + "' in " + dir));
  }

  boolean has(String kind, String name) {
    return docs.stream().anyMatch(doc -> kind.equals(doc.kind()) && Objects.equals(name, doc.name()));
  }

  /** The Deployment whose pods carry {@code app.kubernetes.io/component=component} (exactly one). */
  Doc deployment(String component) {
    List<Doc> found = all("Deployment").stream()
        .filter(doc -> component.equals(string(doc.body(), "spec", "template", "metadata", "labels",
            "app.kubernetes.io/component")))
        .toList();
    assertEquals(1, found.size(), "Deployments of component " + component + ": " + found);
    return found.get(0);
  }

  static Map<String, Object> podSpec(Doc workload) {
    return map(workload.body(), "spec", "template", "spec");
  }

  static Map<String, Object> podLabels(Doc workload) {
    return map(workload.body(), "spec", "template", "metadata", "labels");
  }

  static List<Map<String, Object>> containers(Doc workload) {
    return maps(podSpec(workload), "containers");
  }

  static Map<String, Object> container(Doc workload) {
    List<Map<String, Object>> containers = containers(workload);
    assertEquals(1, containers.size(), workload + ": one container expected");
    return containers.get(0);
  }

  /** matchLabels (selectors here use no matchExpressions) against a set of labels. */
  static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
    assertTrue(selector != null && !selector.isEmpty(), "empty selector selects everything");
    return selector.entrySet().stream().allMatch(entry -> Objects.equals(entry.getValue(), labels.get(entry.getKey())));
  }

  /** The container port a probe's or Service's port (a number or a port name) reaches, or null. */
  static Integer containerPort(Map<String, Object> container, Object port) {
    for (Map<String, Object> declared : maps(container, "ports")) {
      if (port instanceof Integer number && number.equals(declared.get("containerPort"))
          || port instanceof String name && name.equals(declared.get("name"))) {
        return (Integer) declared.get("containerPort");
      }
    }
    return null;
  }

  static Integer namedPort(Map<String, Object> container, String name) {
    return containerPort(container, name);
  }

  // ------------------------------------------------------------------ ConfigMaps and Secrets

  /** A ConfigMap's data, or a Secret's stringData plus its decoded data. */
  Map<String, String> values(String kind, String name) {
    Doc doc = get(kind, name);
    Map<String, String> values = new LinkedHashMap<>();
    if (kind.equals("Secret")) {
      optionalMap(doc.body(), "data").forEach((key, value) ->
          values.put(key, new String(Base64.getDecoder().decode(String.valueOf(value)), StandardCharsets.UTF_8)));
      optionalMap(doc.body(), "stringData").forEach((key, value) -> values.put(key, stringValue(doc, key, value)));
    } else {
      optionalMap(doc.body(), "data").forEach((key, value) -> values.put(key, stringValue(doc, key, value)));
    }
    return values;
  }

  private static String stringValue(Doc doc, String key, Object value) {
    return assertInstanceOf(String.class, value, doc + ": " + key + " must be a string (quote it)");
  }

  /**
   * The container's environment as the kubelet builds it: envFrom first, env over it. Every
   * ConfigMap, Secret and key referenced must exist (none is optional here); fieldRef values read
   * {@code fieldRef:<path>}.
   */
  Map<String, String> env(Doc workload, Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> from : maps(container, "envFrom")) {
      String prefix = from.get("prefix") == null ? "" : String.valueOf(from.get("prefix"));
      if (from.containsKey("configMapRef")) {
        String name = string(from, "configMapRef", "name");
        values("ConfigMap", name).forEach((key, value) -> env.put(prefix + key, value));
      } else if (from.containsKey("secretRef")) {
        String name = string(from, "secretRef", "name");
        values("Secret", name).forEach((key, value) -> env.put(prefix + key, value));
      } else {
        fail(workload + ": envFrom without configMapRef or secretRef: " + from);
      }
    }
    for (Map<String, Object> variable : maps(container, "env")) {
      String name = string(variable, "name");
      if (variable.containsKey("value")) {
        env.put(name, assertInstanceOf(String.class, variable.get("value"),
            workload + ": env " + name + " must be a string (quote it)"));
        continue;
      }
      Map<String, Object> from = map(variable, "valueFrom");
      if (from.containsKey("secretKeyRef") || from.containsKey("configMapKeyRef")) {
        boolean secret = from.containsKey("secretKeyRef");
        Map<String, Object> ref = map(from, secret ? "secretKeyRef" : "configMapKeyRef");
        String kind = secret ? "Secret" : "ConfigMap";
        assertTrue(has(kind, string(ref, "name")),
            workload + ": env " + name + " refers to " + kind + " '" + ref.get("name") + "', which is not in k8s/");
        Map<String, String> values = values(kind, string(ref, "name"));
        String key = string(ref, "key");
        assertTrue(values.containsKey(key),
            workload + ": env " + name + " refers to key '" + key + "' of " + kind + " " + ref.get("name")
                + ", which has only " + values.keySet());
        env.put(name, values.get(key));
      } else if (from.containsKey("fieldRef")) {
        env.put(name, FIELD_REF + string(from, "fieldRef", "fieldPath"));
      } else {
        fail(workload + ": env " + name + ": unsupported valueFrom " + from);
      }
    }
    return env;
  }

  // ------------------------------------------------------------------ map navigation

  static Object at(Object root, String... path) {
    Object node = root;
    for (String key : path) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(key);
    }
    return node;
  }

  static String string(Object root, String... path) {
    Object value = at(root, path);
    return value == null ? null : String.valueOf(value);
  }

  static Map<String, Object> map(Object root, String... path) {
    Object value = at(root, path);
    assertNotNull(value, "missing " + String.join(".", path));
    return asMap(value, String.join(".", path));
  }

  static Map<String, Object> optionalMap(Object root, String... path) {
    Object value = at(root, path);
    return value == null ? Map.of() : asMap(value, String.join(".", path));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object value, String what) {
    assertInstanceOf(Map.class, value, what + " must be a mapping");
    return (Map<String, Object>) value;
  }

  /** A list of mappings (empty when absent). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Object root, String... path) {
    Object value = at(root, path);
    if (value == null) {
      return List.of();
    }
    assertInstanceOf(List.class, value, String.join(".", path) + " must be a list");
    List<Map<String, Object>> result = new ArrayList<>();
    for (Object item : (List<Object>) value) {
      result.add(asMap(item, String.join(".", path) + "[]"));
    }
    return result;
  }

  /** A list of scalars as strings (empty when absent). */
  @SuppressWarnings("unchecked")
  static List<String> strings(Object root, String... path) {
    Object value = at(root, path);
    if (value == null) {
      return List.of();
    }
    assertInstanceOf(List.class, value, String.join(".", path) + " must be a list");
    return ((List<Object>) value).stream().map(String::valueOf).toList();
  }
}
