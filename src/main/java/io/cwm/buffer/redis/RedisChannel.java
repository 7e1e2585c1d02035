package io.cwm.buffer.redis;

import io.cwm.buffer.Envelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A channel opened on the Redis buffer: the keys every script of the channel takes, the prefix
 * of its per-owner sets, and the streams it reads (its webhook queues, plus streams of the
 * channel found in Redis that the configuration no longer names).
 */
record RedisChannel(String name, List<String> keys, String ownerPrefix, List<String> streams) {

  static RedisChannel of(String name, Collection<String> streams) {
    return new RedisChannel(name, RedisKeys.channelKeys(name), RedisKeys.ownerPrefix(name), List.copyOf(streams));
  }

  RedisChannel withStreams(Collection<String> more) {
    Set<String> all = new LinkedHashSet<>(streams);
    all.addAll(more);
    return new RedisChannel(name, keys, ownerPrefix, List.copyOf(all));
  }

  /** The channel's common script keys followed by {@code more}. */
  List<String> keysWith(List<String> more) {
    List<String> all = new ArrayList<>(keys.size() + more.size());
    all.addAll(keys);
    all.addAll(more);
    return all;
  }

  /**
   * ARGV[1..8] of every script: now (ms), now (ISO), owner-set prefix, group, held-set prefix,
   * liveness prefix, the receiver process, parked-list prefix; a script's own arguments follow.
   */
  List<Object> scriptArgs(Instant now, String process) {
    List<Object> args = new ArrayList<>(20);
    args.add(String.valueOf(now.toEpochMilli()));
    args.add(Envelope.format(now));
    args.add(ownerPrefix);
    args.add(RedisKeys.GROUP);
    args.add(RedisKeys.heldPrefix(name));
    args.add(RedisKeys.ALIVE_PREFIX);
    args.add(process);
    args.add(RedisKeys.parkedPrefix(name));
    return args;
  }
}
