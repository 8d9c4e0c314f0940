package dev.orderflow.messaging.nats;

import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.BucketSpec;
import dev.orderflow.messaging.KeyValueStore;
import dev.orderflow.messaging.WriteConflict;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Non-blocking access to one JetStream key-value bucket, with compare-and-set writes.
 *
 * <p>Written by hand because jnats's {@code KeyValue} API blocks the calling thread. It keeps to the key-value
 * conventions (ADR-8), so the {@code nats kv} tools and jnats read the same data: a value is the last message on
 * {@code $KV.<bucket>.<key>}, and its stream sequence is the entry's revision. Reads use JetStream's direct get, or
 * at more than one replica the stream leader's message get ({@link LeaderReads}): a follower that rejoined answers
 * direct gets before it has caught up, and {@code GET /inventory} would show stock as it was; writes are publishes
 * that carry {@code Nats-Expected-Last-Subject-Sequence} (the revision read).
 */
public final class NatsKeyValueStore implements KeyValueStore {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final Connection connection;
  private final NatsEventPublisher publisher;
  private final BucketSpec bucket;
  /** Whether reads go to the bucket stream's leader (replicated streams) rather than to any replica. */
  private final boolean fromLeader;

  NatsKeyValueStore(Vertx vertx, Connection connection, NatsEventPublisher publisher, BucketSpec bucket,
      boolean fromLeader) {
    this.vertx = vertx;
    this.connection = connection;
    this.publisher = publisher;
    this.bucket = bucket;
    this.fromLeader = fromLeader;
  }

  /** The current entry for {@code key}, or {@code null} if there is none. */
  @Override
  public Future<Entry> get(String key) {
    if (!KeyValueStore.validKey(key)) {
      return invalidKey(key);
    }
    if (fromLeader) {
      // Valid keys need no JSON escaping.
      return LeaderReads.last(vertx, connection, bucket.streamName(), bucket.subject(key), READ_TIMEOUT)
          .map(info -> info == null ? null : entry(key, info.getHeaders(), info.getData(), info.getSeq()));
    }
    String api = "$JS.API.DIRECT.GET." + bucket.streamName() + "." + bucket.subject(key);
    return Outbox.request(vertx, connection, api, null, READ_TIMEOUT).map(reply -> toEntry(key, reply));
  }

  /** Writes {@code value} only if {@code key} has no value yet; fails with {@link WriteConflict} if it has. */
  @Override
  public Future<Long> create(String key, byte[] value) {
    return write(key, value, 0);
  }

  /**
   * Creates {@code key} with {@code value} unless it exists; either way answers the entry that stands. The
   * idempotency point of many handlers: the first delivery creates, a repeated one finds what the first made.
   */
  @Override
  public Future<Claim> createOrGet(String key, byte[] value) {
    return create(key, value)
        .map(revision -> new Claim(new Entry(key, value, revision), true))
        .recover(e -> e instanceof WriteConflict
            ? get(key).compose(existing -> existing != null ? Future.succeededFuture(new Claim(existing, false))
                : Future.failedFuture(new BrokerUnavailable("key " + key + " exists but cannot be read yet", null)))
            : Future.failedFuture(e));
  }

  /**
   * Writes {@code value} only if {@code key} is still at {@code revision}; fails with {@link WriteConflict} if
   * it moved on. Answers the new revision.
   */
  @Override
  public Future<Long> update(String key, byte[] value, long revision) {
    return write(key, value, revision);
  }

  private Future<Long> write(String key, byte[] value, long revision) {
    if (!KeyValueStore.validKey(key)) {
      return invalidKey(key);
    }
    PublishOptions options = PublishOptions.builder()
        .expectedStream(bucket.streamName())
        .expectedLastSubjectSequence(revision)
        .build();
    return publisher.publish(bucket.subject(key), new Headers(), value, options).map(PublishAck::getSeqno);
  }

  private Entry toEntry(String key, Message reply) {
    if (reply.isStatusMessage()) {
      if (reply.getStatus().getCode() == 404) {
        return null;
      }
      throw new BrokerUnavailable("reading " + bucket.name() + "/" + key + ": " + reply.getStatus(), null);
    }
    Headers headers = reply.getHeaders();
    String sequence = headers == null ? null : headers.getFirst("Nats-Sequence");
    if (sequence == null) {
      throw new BrokerUnavailable("reading " + bucket.name() + "/" + key + ": reply without Nats-Sequence", null);
    }
    return entry(key, headers, reply.getData(), Long.parseLong(sequence));
  }

  /** The stored message as an entry; {@code null} for a delete or purge marker. */
  private static Entry entry(String key, Headers headers, byte[] data, long revision) {
    String operation = headers == null ? null : headers.getFirst("KV-Operation");
    if (operation != null && !operation.equals("PUT")) {
      return null;
    }
    return new Entry(key, data == null ? new byte[0] : data, revision);
  }

  private <T> Future<T> invalidKey(String key) {
    return Future.failedFuture(
        new IllegalArgumentException("not a valid key for bucket " + bucket.name() + ": " + key));
  }
}
