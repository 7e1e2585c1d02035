package io.cwm.validate;

import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.cwm.error.FailureCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates the JSON body against a JSON Schema (spec §5.11), with vertx-json-schema.
 *
 * <p>Everything that can be decided at load time is: the draft is taken from {@code $schema}
 * (draft-04, -06 (run as draft-07), -07, 2019-09, 2020-12; 2020-12 when absent), the schema is
 * checked against its draft's meta-schema, every {@code $ref}
 * must resolve inside the schema (nothing is ever fetched: vertx-json-schema has no loader) and
 * the schema is compiled once (plus once per event-loop thread, see {@link #validators}). Any of
 * these failing is {@code Invalid JSON schema configuration}.
 *
 * <p>{@code format}: vertx-json-schema always asserts the formats it knows (email, date-time,
 * uri, ipv4, ...) for strings, whatever {@link io.vertx.json.schema.JsonFormatValidator} is
 * passed. {@code format} is meant as an annotation here, not an assertion, so it is removed from
 * the compiled copy of the schema (the meta-schema check still sees it).
 *
 * <p>Failures answer 400, without details.
 */
public final class JsonSchemaValidator implements Validator {
  static final String INVALID_SCHEMA = "Invalid JSON schema configuration";
  private static final String BASE_URI = "app://cwm/";

  /** Keywords whose value is a schema, an array of schemas or a map of schemas. */
  private static final Set<String> SCHEMA_VALUED = Set.of("additionalItems", "unevaluatedItems",
      "items", "contains", "additionalProperties", "unevaluatedProperties", "propertyNames", "not",
      "if", "then", "else", "contentSchema", "prefixItems", "allOf", "anyOf", "oneOf");
  private static final Set<String> SCHEMA_MAPS = Set.of("$defs", "definitions", "properties",
      "patternProperties", "dependentSchemas", "dependencies");

  private static final Map<Draft, List<String>> META_SCHEMAS = Map.of(
      Draft.DRAFT4, List.of("http://json-schema.org/draft-04/schema"),
      Draft.DRAFT7, List.of("http://json-schema.org/draft-07/schema"),
      Draft.DRAFT201909, List.of("https://json-schema.org/draft/2019-09/schema",
          "https://json-schema.org/draft/2019-09/meta/core",
          "https://json-schema.org/draft/2019-09/meta/applicator",
          "https://json-schema.org/draft/2019-09/meta/validation",
          "https://json-schema.org/draft/2019-09/meta/meta-data",
          "https://json-schema.org/draft/2019-09/meta/format",
          "https://json-schema.org/draft/2019-09/meta/content"),
      Draft.DRAFT202012, List.of("https://json-schema.org/draft/2020-12/schema",
          "https://json-schema.org/draft/2020-12/meta/core",
          "https://json-schema.org/draft/2020-12/meta/applicator",
          "https://json-schema.org/draft/2020-12/meta/validation",
          "https://json-schema.org/draft/2020-12/meta/meta-data",
          "https://json-schema.org/draft/2020-12/meta/format-annotation",
          "https://json-schema.org/draft/2020-12/meta/content",
          "https://json-schema.org/draft/2020-12/meta/unevaluated"));

  /** Meta-schema validators, built on first use (reading the bundled meta-schemas once). */
  private static final Map<Draft, io.vertx.json.schema.Validator> META_VALIDATORS = new EnumMap<>(Draft.class);

  /**
   * One compiled validator per thread: vertx-json-schema replaces plain sub-objects of the schema
   * with schema wrappers the first time it visits them, so a compiled schema must not be shared
   * by concurrently validating threads. Compiling is cheap and happens once per event loop.
   */
  private final ThreadLocal<io.vertx.json.schema.Validator> validators;

  private JsonSchemaValidator(JsonObject schema, Draft draft) {
    this.validators = ThreadLocal.withInitial(() -> compile(schema, draft));
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    if (!(block instanceof JsonObject schema)) {
      throw new ConfigException("", INVALID_SCHEMA);
    }
    try {
      Draft draft = draft(schema.getValue("$schema"));
      if (!conformsToMetaSchema(draft, schema.copy())) {
        throw new ConfigException("", INVALID_SCHEMA);
      }
      JsonObject frozen = schema.copy();
      compile(frozen, draft);
      return new JsonSchemaValidator(frozen, draft);
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      // SchemaException, ClassCastException on a malformed keyword, ...: one generic message
      throw new ConfigException("", INVALID_SCHEMA);
    }
  }

  /** Builds a validator from a private copy of {@code schema} (which is never modified). */
  private static io.vertx.json.schema.Validator compile(JsonObject schema, Draft draft) {
    JsonSchemaOptions options = new JsonSchemaOptions()
        .setDraft(draft)
        .setBaseUri(BASE_URI)
        .setOutputFormat(OutputFormat.Flag);
    // the repository resolves only what is inside the schema; it has no remote loader
    SchemaRepository repository = SchemaRepository.create(options);
    JsonObject compiled = withoutFormat(schema.copy());
    JsonSchema root = JsonSchema.of(compiled);
    repository.dereference(root);
    requireLocalRefs(compiled, repository);
    return repository.validator(root, options, false);
  }

  private static Draft draft(Object declared) {
    if (declared == null) {
      return Draft.DRAFT202012;
    }
    if (!(declared instanceof String text)) {
      throw new ConfigException("$schema", INVALID_SCHEMA);
    }
    String id = text.strip();
    if (id.endsWith("#")) {
      id = id.substring(0, id.length() - 1);
    }
    id = id.replaceFirst("^https?://", "");
    return switch (id) {
      case "json-schema.org/draft-04/schema" -> Draft.DRAFT4;
      // draft-06 is a subset of draft-07 apart from nothing a webhook schema relies on
      case "json-schema.org/draft-06/schema", "json-schema.org/draft-07/schema" -> Draft.DRAFT7;
      case "json-schema.org/draft/2019-09/schema" -> Draft.DRAFT201909;
      case "json-schema.org/draft/2020-12/schema" -> Draft.DRAFT202012;
      default -> throw new ConfigException("$schema", INVALID_SCHEMA + " (unsupported $schema)");
    };
  }

  /** The meta-schema check. Synchronized: meta validators are shared (see the field below). */
  private static synchronized boolean conformsToMetaSchema(Draft draft, JsonObject schema) {
    io.vertx.json.schema.Validator meta = META_VALIDATORS.computeIfAbsent(draft, d -> {
      SchemaRepository repository = SchemaRepository.create(
          new JsonSchemaOptions().setDraft(d).setBaseUri(BASE_URI).setOutputFormat(OutputFormat.Flag));
      for (String id : META_SCHEMAS.get(d)) {
        repository.dereference(id, JsonSchema.of(resource(id.substring(id.indexOf("://") + 3))));
      }
      return repository.validator(META_SCHEMAS.get(d).get(0));
    });
    return Boolean.TRUE.equals(meta.validate(schema).getValid());
  }

  private static JsonObject resource(String path) {
    try (InputStream in = JsonSchemaValidator.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("meta-schema missing from the classpath: " + path);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes the {@code format} keyword from every schema position (see the class comment). */
  static JsonObject withoutFormat(JsonObject schema) {
    if (schema.getValue("format") instanceof String) {
      schema.remove("format");
    }
    for (String key : schema.fieldNames()) {
      Object value = schema.getValue(key);
      if (SCHEMA_VALUED.contains(key)) {
        stripAll(value);
      } else if (SCHEMA_MAPS.contains(key) && value instanceof JsonObject map) {
        map.forEach(member -> stripAll(member.getValue()));
      }
    }
    return schema;
  }

  private static void stripAll(Object value) {
    if (value instanceof JsonObject object) {
      withoutFormat(object);
    } else if (value instanceof JsonArray array) {
      array.forEach(JsonSchemaValidator::stripAll);
    }
  }

  /**
   * Every {@code $ref} must point inside the schema: vertx-json-schema would otherwise fail only
   * when a request reaches it. Remote references are never fetched.
   */
  private static void requireLocalRefs(Object node, SchemaRepository repository) {
    if (node instanceof JsonObject object) {
      Object ref = object.getValue("__absolute_ref__");
      if (ref instanceof String uri && repository.find(uri) == null) {
        throw new ConfigException("", INVALID_SCHEMA + " (unresolvable $ref)");
      }
      object.forEach(member -> requireLocalRefs(member.getValue(), repository));
    } else if (node instanceof JsonArray array) {
      array.forEach(item -> requireLocalRefs(item, repository));
    }
  }

  @Override
  public String key() {
    return "json_schema";
  }

  @Override
  public boolean needsBody(WebhookRequest head) {
    return true;
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    Object body;
    try {
      body = request.json();
    } catch (CwmException e) {
      // limit violations (depth, string length) keep their own message
      return Future.failedFuture("Malformed JSON payload".equals(e.detail())
          ? CwmException.badRequest("Invalid JSON body") : e);
    }
    OutputUnit result;
    try {
      result = validators.get().validate(body);
    } catch (RuntimeException e) {
      // the load-time checks should make this unreachable; never blame the client for it
      return Future.failedFuture(new CwmException(FailureCode.INTERNAL, INVALID_SCHEMA));
    }
    return Boolean.TRUE.equals(result.getValid())
        ? Future.succeededFuture()
        : Future.failedFuture(CwmException.badRequest("JSON schema validation failed"));
  }
}
