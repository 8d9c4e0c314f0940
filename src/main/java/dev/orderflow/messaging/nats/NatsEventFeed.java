package dev.orderflow.messaging.nats;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.orderflow.messaging.BrokerUnavailable;
import dev.orderflow.messaging.EventFeed;
import dev.orderflow.messaging.EventType;
import dev.orderflow.messaging.StreamSpec;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StreamInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Follows event types as they are stored, for a read model a context keeps of them (the orders' list): one ordered
 * consumer per event type, filtered to its subjects, from the sequence after a checkpoint. An ordered consumer
 * takes no acks and leaves nothing on the server, and jnats makes it anew, where it left off, after a reconnect or
 * a gap. Every feed of one {@code EventFeed} is handled on one thread of its own, never the saga's.
 */
public final class NatsEventFeed implements EventFeed {

  /** Messages pulled at once by each ordered consumer. */
  private static final int BATCH = 1_000;

  private final Vertx vertx;
  private final Connection connection;
  private final Dispatcher dispatcher;
  private final List<MessageConsumer> consumers = new CopyOnWriteArrayList<>();

  NatsEventFeed(Vertx vertx, Connection connection) {
    this.vertx = vertx;
    this.connection = connection;
    this.dispatcher = connection.createDispatcher();
  }

  /** The state of the stream that holds {@code type}. */
  @Override
  public Future<StreamState> state(EventType<?> type) {
    return vertx.executeBlocking(() -> {
      StreamInfo info = connection.jetStreamManagement().getStreamInfo(type.stream().name());
      return new StreamState(String.valueOf(info.getCreateTime()), info.getStreamState().getLastSequence());
    });
  }

  /** Whether the stream holds a {@code type} event after stream sequence {@code after}: one request. */
  @Override
  public Future<Boolean> anyAfter(EventType<?> type, long after) {
    return vertx.executeBlocking(() -> next(type, after + 1) != null);
  }

  /** Starts handing every {@code type} event stored after stream sequence {@code after} to {@code listener}. */
  @Override
  public Future<Following> follow(EventType<?> type, long after, Listener listener) {
    return vertx.executeBlocking(() -> {
      OrderedConsumerConfiguration config = new OrderedConsumerConfiguration().filterSubject(type.filterSubject());
      if (after > 0) {
        config.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(after + 1);
      }
      int cut = type.prefix().length() + 1;
      MessageConsumer consumer = connection.jetStream().getStreamContext(type.stream().name())
          .createOrderedConsumer(config)
          .consume(ConsumeOptions.builder().batchSize(BATCH).build(), dispatcher, message -> listener.onEvent(type,
              message.getSubject().substring(cut), decode(type, message.getData()),
              message.metaData().streamSequence(), message.metaData().pendingCount()));
      consumers.add(consumer);
      return () -> {
        consumers.remove(consumer);
        try {
          consumer.close(); // unsubscribes: a pull still open would go on delivering after a mere stop
        } catch (Exception e) {
          consumer.stop();
        }
      };
    });
  }

  @Override
  public long lastSequence(StreamSpec stream) {
    try {
      return connection.jetStreamManagement().getStreamInfo(stream.name()).getStreamState().getLastSequence();
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerUnavailable("cannot read the state of stream " + stream.name() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int read(EventType<?> type, long after, long upTo, Listener listener) {
    int cut = type.prefix().length() + 1;
    int handed = 0;
    try {
      for (MessageInfo message = after < upTo ? next(type, after + 1) : null;
          message != null && message.getSeq() <= upTo; message = next(type, message.getSeq() + 1)) {
        listener.onEvent(type, message.getSubject().substring(cut), decode(type, message.getData()),
            message.getSeq(), 0);
        handed++;
      }
      return handed;
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerUnavailable("cannot read " + type.name() + " events from stream " + type.stream().name()
          + ": " + e.getMessage(), e);
    }
  }

  /** The first {@code type} event at stream sequence {@code from} or after it, or {@code null}: one request. */
  private MessageInfo next(EventType<?> type, long from) throws IOException, JetStreamApiException {
    try {
      return connection.jetStreamManagement().getNextMessage(type.stream().name(), from, type.filterSubject());
    } catch (JetStreamApiException e) {
      if (e.getErrorCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  /** Stops every feed; the listener is called no more once this completes. */
  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      consumers.forEach(MessageConsumer::stop);
      consumers.clear();
      connection.closeDispatcher(dispatcher);
      return null;
    });
  }

  private static Message decode(EventType<?> type, byte[] data) {
    try {
      return type.parse(data);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
