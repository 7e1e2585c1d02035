package io.cwm.chain;

import java.util.List;

/**
 * What the {@link Dispatcher} runs for one webhook: a single module (one step with its own
 * retry) or a chain of steps run as its {@link ChainConfig} says. A webhook entry is one, on the
 * receiver and in the connector's local webhooks.json.
 */
public interface DeliveryPlan {

  /** The module to run (one step) or the chain's steps, in order. */
  List<ChainItem> steps();

  /** True for a chain (run by {@link #chainConfig()}), false for a single module. */
  boolean chain();

  /** How a chain runs; {@link ChainConfig#DEFAULT} for a single module. */
  ChainConfig chainConfig();

  /** A plan of one module. */
  static DeliveryPlan single(ChainItem step) {
    return new Plan(List.of(step), false, ChainConfig.DEFAULT);
  }

  /** A plan of a chain. */
  static DeliveryPlan chain(ChainConfig config, List<ChainItem> steps) {
    return new Plan(List.copyOf(steps), true, config);
  }

  /** A plan on its own, without a webhook entry around it. */
  record Plan(List<ChainItem> steps, boolean chain, ChainConfig chainConfig) implements DeliveryPlan {}
}
