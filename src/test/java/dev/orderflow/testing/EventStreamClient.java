package dev.orderflow.testing;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Server-Sent Events client for tests: reads one event stream on a thread of its own and keeps every event (its
 * name and JSON data). {@link #close} ends the stream.
 */
public final class EventStreamClient implements AutoCloseable {

  /** One event. */
  public record Event(String name, JsonObject data) {}

  private final HttpResponse<InputStream> response;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private EventStreamClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "event-stream-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code uri} with {@code token}; returns once the answer's head arrived (whatever its status). */
  public static EventStreamClient open(URI uri, String token) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).GET().build();
    return new EventStreamClient(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream()));
  }

  public int status() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  public List<Event> events() {
    return new ArrayList<>(events);
  }

  /** The data of the last event named {@code name}, or null. */
  public JsonObject last(String name) {
    JsonObject last = null;
    for (Event event : events) {
      if (event.name().equals(name)) {
        last = event.data();
      }
    }
    return last;
  }

  private void read() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String name = "message";
      StringBuilder data = new StringBuilder();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(name, new JsonObject(data.toString())));
          }
          name = "message";
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          name = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        }
      }
    } catch (Exception closed) {
      // the stream ended or was closed
    }
  }

  @Override
  public void close() throws Exception {
    response.body().close();
    reader.join(5_000);
  }
}
