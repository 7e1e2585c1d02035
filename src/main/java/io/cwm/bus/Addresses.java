package io.cwm.bus;

/** Every event-bus address of cwm, in one place: {@code cwm.<area>.<verb>}. */
public final class Addresses {
  private static final String MODULE_PREFIX = "cwm.module.";

  private Addresses() {}

  /** Where the ModuleVerticle of an output type listens, by registry name. */
  public static String module(String registryName) {
    return MODULE_PREFIX + registryName;
  }
}
