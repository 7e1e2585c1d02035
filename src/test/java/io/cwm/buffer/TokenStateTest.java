package io.cwm.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenStateTest {
  static final long NOW = 1_800_000_000_000L;

  @Test
  void theConfiguredTokenIsTheInitialOneAndOnlyDigestsAreKept() {
    TokenState state = TokenState.initial("tok-a");
    assertEquals(TokenState.Match.CURRENT, state.match(TokenState.hash("tok-a"), NOW));
    assertEquals(TokenState.Match.NONE, state.match(TokenState.hash("tok-b"), NOW));
    assertFalse(state.toString().contains("tok-a"));
    assertEquals(64, state.currentHash().length());
    assertNull(state.previousHash());
  }

  @Test
  void rotationKeepsThePreviousTokenUntilTheGraceEndsAndOnlyOnePrevious() {
    TokenState rotated = TokenState.initial("tok-a").rotatedTo(TokenState.hash("tok-b"), 60_000, NOW);
    assertEquals(TokenState.Match.CURRENT, rotated.match(TokenState.hash("tok-b"), NOW));
    assertEquals(TokenState.Match.PREVIOUS, rotated.match(TokenState.hash("tok-a"), NOW + 59_999));
    assertEquals(TokenState.Match.NONE, rotated.match(TokenState.hash("tok-a"), NOW + 60_000));
    assertTrue(rotated.stillValid(TokenState.hash("tok-a"), NOW));
    TokenState twice = rotated.rotatedTo(TokenState.hash("tok-c"), 60_000, NOW + 1);
    assertEquals(TokenState.Match.NONE, twice.match(TokenState.hash("tok-a"), NOW + 2));
    assertEquals(TokenState.Match.PREVIOUS, twice.match(TokenState.hash("tok-b"), NOW + 2));
    TokenState immediate = TokenState.initial("tok-a").rotatedTo(TokenState.hash("tok-b"), 0, NOW);
    assertEquals(TokenState.Match.NONE, immediate.match(TokenState.hash("tok-a"), NOW));
  }

  @Test
  void anUnchangedConfiguredTokenDoesNotUndoARotation() {
    TokenState rotated = TokenState.initial("tok-a").rotatedTo(TokenState.hash("tok-b"), 0, NOW);
    assertSame(rotated, rotated.alignedWith("tok-a", NOW + 1000));
  }

  @Test
  void aChangedConfiguredTokenBecomesCurrentWithTheDefaultGraceForTheOldOne() {
    TokenState rotated = TokenState.initial("tok-a").rotatedTo(TokenState.hash("tok-b"), 0, NOW);
    TokenState aligned = rotated.alignedWith("tok-c", NOW + 1000);
    assertEquals(TokenState.Match.CURRENT, aligned.match(TokenState.hash("tok-c"), NOW + 1000));
    assertEquals(TokenState.Match.PREVIOUS, aligned.match(TokenState.hash("tok-b"), NOW + 1000));
    assertEquals(NOW + 1000 + TokenState.CONFIG_CHANGE_GRACE_SECONDS * 1000, aligned.previousExpiresAtMillis());
    assertSame(aligned, aligned.alignedWith("tok-c", NOW + 2000), "aligned once, stable after");
  }

  @Test
  void aConfiguredTokenThatIsAlreadyCurrentOnlyRecordsTheAlignment() {
    TokenState rotated = TokenState.initial("tok-a").rotatedTo(TokenState.hash("tok-b"), 60_000, NOW);
    TokenState aligned = rotated.alignedWith("tok-b", NOW + 1);
    assertEquals(rotated.currentHash(), aligned.currentHash());
    assertEquals(rotated.previousHash(), aligned.previousHash());
    assertEquals(TokenState.hash("tok-b"), aligned.configHash());
  }
}
