package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChannelOwnersTest {

  @Test
  void channelsAreSpreadEvenlyInNameOrder() {
    ChannelOwners owners = ChannelOwners.assign(Set.of("d", "b", "a", "c", "e"), 2, Map.of());
    assertEquals(List.of("a", "c", "e"), owners.channelsOf(0));
    assertEquals(List.of("b", "d"), owners.channelsOf(1));
  }

  @Test
  void theSameInputGivesTheSameMap() {
    ChannelOwners first = ChannelOwners.assign(List.of("x", "y", "z", "w"), 3, Map.of("z", 2));
    ChannelOwners second = ChannelOwners.assign(List.of("w", "z", "y", "x"), 3, Map.of("z", 2));
    assertEquals(first, second);
  }

  @Test
  void aPinnedChannelSitsOnItsInstanceAndTheOthersFillTheRest() {
    ChannelOwners owners = ChannelOwners.assign(Set.of("hot", "a", "b", "c"), 2, Map.of("hot", 1));
    assertEquals(1, owners.ownerOf("hot"));
    assertEquals(List.of("a", "b"), owners.channelsOf(0), "a ties to the lowest index, then b to the least loaded");
    assertEquals(List.of("c", "hot"), owners.channelsOf(1));
  }

  @Test
  void everyChannelHasExactlyOneOwner() {
    Set<String> channels = Set.of("c1", "c2", "c3", "c4", "c5", "c6", "c7");
    ChannelOwners owners = ChannelOwners.assign(channels, 4, Map.of("c7", 0));
    int total = 0;
    for (int i = 0; i < 4; i++) {
      total += owners.channelsOf(i).size();
      assertTrue(owners.channelsOf(i).size() <= 2, "instance " + i + " owns " + owners.channelsOf(i));
    }
    assertEquals(channels.size(), total);
    assertEquals(-1, owners.ownerOf("nope"));
  }

  @Test
  void moreInstancesThanChannelsLeavesSomeIdle() {
    ChannelOwners owners = ChannelOwners.assign(Set.of("only"), 4, Map.of());
    assertEquals(List.of("only"), owners.channelsOf(0));
    assertEquals(List.of(), owners.channelsOf(3));
  }

  @Test
  void badPinsAreRefusedWithTheReason() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> ChannelOwners.assign(Set.of("a"), 2, Map.of("b", 0)));
    assertEquals("channel 'b' is pinned but not configured (configured: a)", unknown.getMessage());
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> ChannelOwners.assign(Set.of("a"), 2, Map.of("a", 2)));
    assertEquals("channel 'a' is pinned to instance 2, but there are 2 (0 to 1)", range.getMessage());
  }

  @Test
  void extendKeepsEveryAssignmentAndPlacesNewChannelsOnTheLeastLoadedInNameOrder() {
    ChannelOwners before = ChannelOwners.assign(Set.of("a", "b", "c"), 3, Map.of("a", 2));
    assertEquals(Map.of("a", 2, "b", 0, "c", 1), before.owners());
    ChannelOwners after = before.extend(List.of("z", "y", "a", "x", "w"));
    assertEquals(2, after.ownerOf("a"), "an existing channel never moves");
    assertEquals(0, after.ownerOf("b"));
    assertEquals(1, after.ownerOf("c"));
    assertEquals(0, after.ownerOf("w"), "a tie goes to the lowest index");
    assertEquals(1, after.ownerOf("x"));
    assertEquals(2, after.ownerOf("y"));
    assertEquals(0, after.ownerOf("z"));
    assertEquals(3, after.instances());
  }

  @Test
  void extendKeepsChannelsNoLongerNamedAndIsDeterministic() {
    ChannelOwners before = ChannelOwners.assign(Set.of("a", "b"), 2, Map.of());
    ChannelOwners first = before.extend(Set.of("c", "d", "e"));
    ChannelOwners second = before.extend(List.of("e", "d", "c", "c"));
    assertEquals(first, second);
    assertEquals(List.of("a", "c", "e"), first.channelsOf(0));
    assertEquals(List.of("b", "d"), first.channelsOf(1));
    assertEquals(first, first.extend(List.of()), "nothing new: the same owners");
    assertEquals(0, first.extend(List.of("f")).ownerOf("a"), "a channel absent from the new names keeps its owner");
    assertEquals(1, first.extend(List.of("f")).ownerOf("f"), "the least loaded: 2 against 3");
  }
}
