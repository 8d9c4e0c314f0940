package dev.orderflow.events;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes the {@code event_id} every event carries: a random (version 4) UUID. An event id names an event for
 * deduplication and tracing only and grants nothing, so it needs to be unique, not unguessable: it is drawn from
 * the thread's fast generator instead of {@link UUID#randomUUID()}'s SecureRandom, which showed in the event loops'
 * profile under load. (Order ids, which a customer holds, stay {@code UUID.randomUUID()}.)
 */
public final class EventIds {

  private EventIds() {}

  /** A new random event id, in the usual 36-character UUID form. */
  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long most = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(most, least).toString();
  }
}
