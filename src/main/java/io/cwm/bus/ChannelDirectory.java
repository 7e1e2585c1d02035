package io.cwm.bus;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Set;

/**
 * Which instance of a per-channel verticle owns each channel in this process, and where to send
 * a call about a channel. Each instance listens on its own address ({@code <shared>.<index>}) and
 * claims its channels here when it starts; clients look the channel up on every call (a
 * concurrent map read). A channel nobody claims goes to the shared address, where every instance
 * listens and answers that the channel is unknown (or the call needs no owner, such as a ping).
 */
public final class ChannelDirectory {
  /** One claim: the owning instance, its address and its ready-notice address. */
  private record Owner(int instance, String address, String readyAddress) implements Shareable {}

  private final String shared;
  private final LocalMap<String, Owner> owners;

  private ChannelDirectory(Vertx vertx, String shared) {
    this.shared = shared;
    this.owners = vertx.sharedData().getLocalMap(shared + ".owners");
  }

  /** The owners of the buffer's channels ({@code ChannelBufferVerticle} instances). */
  public static ChannelDirectory buffer(Vertx vertx) {
    return new ChannelDirectory(vertx, Addresses.BUFFER_CALL);
  }

  /** The owners of the streaming sessions' channels ({@code StreamVerticle} instances). */
  public static ChannelDirectory stream(Vertx vertx) {
    return new ChannelDirectory(vertx, Addresses.STREAM_CALL);
  }

  /** Where every instance listens. */
  public String sharedAddress() {
    return shared;
  }

  /** Where instance {@code index} takes the calls of its channels. */
  public String instanceAddress(int index) {
    return shared + "." + index;
  }

  /** The address for a call about {@code channel}: its owner's, else the shared one. */
  public String address(String channel) {
    Owner owner = channel == null ? null : owners.get(channel);
    return owner == null ? shared : owner.address();
  }

  /**
   * Where to tell the channel's owner that messages are ready: {@code <shared>.<n>.ready}, only
   * that instance listens (a publish to all of them woke every event loop for each message).
   * Null when nobody claimed the channel.
   */
  public String readyAddress(String channel) {
    Owner owner = owners.get(channel);
    return owner == null ? null : owner.readyAddress();
  }

  /** Where instance {@code index} takes ready notices of its channels. */
  public String instanceReadyAddress(int index) {
    return instanceAddress(index) + ".ready";
  }

  /** The instance owning {@code channel}, or -1 when none claimed it. */
  public int owner(String channel) {
    Owner owner = owners.get(channel);
    return owner == null ? -1 : owner.instance();
  }

  /** Every channel some instance has claimed. */
  public Set<String> channels() {
    return Set.copyOf(owners.keySet());
  }

  /** Instance {@code index} serves {@code channel} from now on. */
  public void claim(String channel, int index) {
    owners.put(channel, owner(index));
  }

  /** Instance {@code index} no longer serves {@code channel} (a claim of another instance stays). */
  public void release(String channel, int index) {
    owners.remove(channel, owner(index));
  }

  private Owner owner(int index) {
    return new Owner(index, instanceAddress(index), instanceReadyAddress(index));
  }
}
