package io.cwm.module.disk;

import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleType;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;
import java.util.Set;

/**
 * The {@code save_to_disk} module: writes each payload into the call's {@link DiskTarget}
 * directory; file writes run on worker threads, never on the event loop.
 */
public final class SaveToDiskModuleVerticle extends ModuleVerticle<DiskTarget> {
  /** The module's registry name (event-bus address {@code cwm.module.save_to_disk}). */
  public static final String NAME = "save_to_disk";
  /** The module as the catalogue sees it. Its target is the checked {@link DiskTarget} directory. */
  public static final ModuleType<DiskTarget> TYPE = ModuleType.served(NAME, Set.of(),
      (moduleConfig, entry, env) -> DiskTarget.fromConfig(moduleConfig, env),
      env -> new SaveToDiskModuleVerticle());


  public SaveToDiskModuleVerticle() {
    super(NAME, DiskTarget.class);
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, DiskTarget target) {
    return vertx.executeBlocking(() -> target.write(call.payload()), false).mapEmpty();
  }
}
