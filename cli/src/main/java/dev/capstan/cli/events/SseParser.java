package dev.capstan.cli.events;

import java.util.Optional;

/**
 * Reads a Server-Sent Events stream line by line (the text/event-stream format): {@code event:} and
 * {@code data:} fields, comments (keep-alives) ignored, a blank line ends an event.
 */
public final class SseParser {
  /** One event: its name ({@code message} when none was given) and its data. */
  public record SseEvent(String name, String data) {}

  private String name;
  private StringBuilder data;

  /** Feeds one line; answers the event that a blank line completes. */
  public Optional<SseEvent> feed(String line) {
    if (line.isEmpty()) {
      if (data == null) {
        name = null;
        return Optional.empty();
      }
      SseEvent event = new SseEvent(name == null ? "message" : name, data.toString());
      name = null;
      data = null;
      return Optional.of(event);
    }
    if (line.startsWith(":")) {
      return Optional.empty();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> name = value;
      case "data" -> {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
      default -> {
        // id, retry and unknown fields do not matter here
      }
    }
    return Optional.empty();
  }
}
