package dev.orderflow.audit;

import dev.orderflow.messaging.operate.DeadLetterDesk;
import dev.orderflow.observability.Redaction;

/**
 * The command line of {@code bin/deadletters}: list the dead letters with their reasons, send one back to its
 * original subject once its cause is mended, or discard one. Exit status 0, 1 on a failure, 2 on a usage error.
 */
public final class DeadLettersCommand {

  static final String USAGE = """
      Usage: bin/deadletters [--nats URL] list [LIMIT]      what was given up, and why (default 100)
             bin/deadletters [--nats URL] send-back SEQ...  store them again on their original subjects
             bin/deadletters [--nats URL] discard SEQ...    remove them for good

        --nats URL   NATS servers (default nats://127.0.0.1:4222, the embedded default's)
      """;

  private DeadLettersCommand() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    String url = "nats://127.0.0.1:4222";
    int at = 0;
    if (args.length >= 2 && args[0].equals("--nats")) {
      url = args[1];
      at = 2;
    }
    if (args.length <= at) {
      System.err.print(USAGE);
      return 2;
    }
    String verb = args[at];
    try (DeadLetterDesk desk = DeadLetterDesk.open(url)) {
      switch (verb) {
        case "list" -> {
          int limit = args.length > at + 1 ? Integer.parseInt(args[at + 1]) : 100;
          System.out.printf("%-8s %-20s %-48s %-5s %s%n", "seq", "consumer", "original subject", "tries", "reason");
          for (DeadLetterDesk.Letter letter : desk.list(limit)) {
            System.out.printf("%-8d %-20s %-48s %-5s %s%n", letter.sequence(), letter.consumer(),
                letter.originalSubject(), letter.deliveries(), letter.reason());
          }
        }
        case "send-back", "discard" -> {
          if (args.length <= at + 1) {
            System.err.print(USAGE);
            return 2;
          }
          for (int i = at + 1; i < args.length; i++) {
            long sequence = Long.parseLong(args[i]);
            if (verb.equals("discard")) {
              desk.discard(sequence);
              System.out.println("discarded " + sequence);
            } else {
              DeadLetterDesk.Letter letter = desk.sendBack(sequence);
              System.out.println("sent " + sequence + " back to " + letter.originalSubject());
            }
          }
        }
        default -> {
          System.err.print(USAGE);
          return 2;
        }
      }
      return 0;
    } catch (NumberFormatException e) {
      System.err.println("not a number: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("error: " + Redaction.urls(e.getMessage()));
      return 1;
    }
  }
}
