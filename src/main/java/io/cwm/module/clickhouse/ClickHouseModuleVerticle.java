package io.cwm.module.clickhouse;

import io.cwm.config.Env;
import io.cwm.module.LinkedModuleVerticle;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;

/**
 * The {@code clickhouse} module (modules.md §3.10): inserts one row per webhook into a MergeTree
 * table it creates on first use. Config: {@link ClickHouseTarget}; row and blob encoding:
 * {@link ClickHouseRow}; connection settings and which HTTP port: {@link ClickHouseConnection};
 * client: {@link ClickHouseWriter}; failure types: {@link ClickHouseFailures}.
 *
 * <p>One client per named connection ({@link ClickHouseLink}), reused by every call; a changed
 * connection object gets a new client and the old one closes after its calls in flight; all closed
 * on stop. Rows of concurrent calls to the same table go together in one INSERT once four INSERTs
 * of that table are running ({@link InsertBatches}: ClickHouse writes a part per INSERT). A
 * webhook answers only once ClickHouse answered the INSERT carrying its row (the row is written to
 * a part; for a Replicated table, as the server's {@code insert_quorum} says). Python logs insert
 * failures and reports success; here they are typed: unreachable, timed out or overloaded servers
 * are retryable (503 with Retry-After on the direct path), authentication, permission, schema and
 * value errors are not. A call without a {@code connection} is refused (CONFIG).
 */
public final class ClickHouseModuleVerticle extends LinkedModuleVerticle<ClickHouseTarget, ClickHouseLink> {
  /** The module's registry name (event-bus address {@code cwm.module.clickhouse}). */
  public static final String NAME = "clickhouse";
  /** The module as the catalogue sees it. */
  public static final ModuleType<ClickHouseTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> ClickHouseTarget.fromConfig(moduleConfig), ClickHouseModuleVerticle::new);

  public ClickHouseModuleVerticle(Env env) {
    super(NAME, ClickHouseTarget.class, null, env);
  }

  @Override
  protected ClickHouseLink newLink(String name, JsonObject connection) {
    return new ClickHouseLink(vertx, name, connection.copy(), ClickHouseConnection.of(connection, env));
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, ClickHouseTarget target, ClickHouseLink link) {
    Buffer row = Buffer.buffer(256);
    ClickHouseRow.append(row, call.webhookId(), Instant.now(), ClickHouseRow.payloadText(call.payload()),
        ClickHouseRow.headersText(call.headers(), target.includeHeaders()));
    return link.write(target.table(), row);
  }
}
