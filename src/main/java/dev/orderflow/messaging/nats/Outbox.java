package dev.orderflow.messaging.nats;

import dev.orderflow.messaging.MessagingException;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds what an event loop sends to NATS (publishes, acknowledgements, reads) until the end of the loop's current
 * iteration, then hands it all to jnats at once.
 *
 * <p>Why: jnats writes from a thread of its own, which sleeps while its queue is empty. A message queued on its own
 * wakes that thread (a futex call) and leaves it alone in the queue, so it costs a socket write of its own; the
 * broker in turn reads it alone. Sent one by one as handlers finish, the saga's dozen messages per order cost about
 * as many system calls on each side, which on a virtual machine are the largest single cost of a message. Queued
 * together, the messages of one iteration (every request read and every event handled in it) go out in a few writes.
 * The delay is what remains of the loop's current iteration: its I/O and the tasks it runs before its tail tasks (at
 * most Netty's per-iteration quota). Why not an ordinary task or a timer: docs/adr/0004-end-of-iteration-flush.md.
 *
 * <p>Off an event loop (a worker, a jnats thread, a test's main thread), {@link #send} sends at once.
 */
final class Outbox {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  /** The writes held by this event-loop thread; touched only by that thread. */
  private static final FastThreadLocal<Outbox> HELD = new FastThreadLocal<>();

  private final SingleThreadEventLoop loop;
  private final ArrayDeque<Runnable> writes = new ArrayDeque<>();
  private final Runnable flush = this::flush;

  private Outbox(SingleThreadEventLoop loop) {
    this.loop = loop;
  }

  /**
   * Runs {@code write} (a call into jnats that queues a message) at the end of the current event-loop iteration,
   * after the writes held before it, or now when not on an event loop. {@code write} handles its own failures.
   */
  static void send(Runnable write) {
    Outbox outbox = current();
    if (outbox == null) {
      write.run();
      return;
    }
    if (outbox.writes.isEmpty()) {
      outbox.loop.executeAfterEventLoopIteration(outbox.flush);
    }
    outbox.writes.add(write);
  }

  /**
   * A request through the outbox; the future completes on the caller's context with the reply, or fails with a
   * {@link MessagingException} (translated as {@link NatsEventPublisher#translate} does).
   */
  static Future<Message> request(Vertx vertx, Connection connection, String subject, byte[] body, Duration timeout) {
    // Internal API: a promise bound to the caller's context, so the reply (from a jnats thread) is handled there
    // without a task per reply; Promise.promise() would run the callbacks on the jnats thread.
    Promise<Message> reply = ((ContextInternal) vertx.getOrCreateContext()).promise();
    send(() -> {
      try {
        connection.requestWithTimeout(subject, null, body, timeout).whenComplete((message, failure) -> {
          if (failure == null) {
            reply.tryComplete(message);
          } else {
            reply.tryFail(NatsEventPublisher.translate(failure));
          }
        });
      } catch (RuntimeException e) {
        reply.tryFail(NatsEventPublisher.translate(e));
      }
    });
    return reply.future();
  }

  /** This event loop's outbox, or {@code null} when the caller is not on an event loop that runs tail tasks. */
  private static Outbox current() {
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      return null;
    }
    // Internal API: no public one gives the Netty loop, whose end-of-iteration tasks the outbox rides on.
    EventLoop loop = ((ContextInternal) context).nettyEventLoop();
    if (!(loop instanceof SingleThreadEventLoop singleThread) || !loop.inEventLoop()) {
      return null;
    }
    Outbox outbox = HELD.get();
    if (outbox == null || outbox.loop != singleThread) {
      outbox = new Outbox(singleThread);
      HELD.set(outbox);
    }
    return outbox;
  }

  private void flush() {
    for (Runnable write = writes.poll(); write != null; write = writes.poll()) {
      try {
        write.run();
      } catch (RuntimeException e) {
        // Each write settles its own failures; one that escapes must not cost the writes after it.
        LOG.warn("a held NATS write failed: {}", e.toString());
      }
    }
  }
}
