package io.cwm.module.disk;

import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleVerticle;
import io.vertx.core.Future;

/**
 * The {@code save_to_disk} module: writes each payload into the call's {@link DiskTarget}
 * directory; file writes run on worker threads, never on the event loop.
 */
public final class SaveToDiskModuleVerticle extends ModuleVerticle<DiskTarget> {

  public SaveToDiskModuleVerticle() {
    super(SaveToDiskModuleType.NAME, DiskTarget.class);
  }

  @Override
  protected Future<Void> deliver(ModuleCall call, DiskTarget target) {
    return vertx.executeBlocking(() -> target.write(call.payload()), false).mapEmpty();
  }
}
