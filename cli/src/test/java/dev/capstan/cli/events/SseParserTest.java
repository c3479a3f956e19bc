package dev.capstan.cli.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cli.events.SseParser.SseEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  @Test
  void named_events_with_data_end_at_a_blank_line_and_comments_are_skipped() {
    List<SseEvent> events =
        feed(
            "event: video.status",
            "data: {\"status\":\"queued\"}",
            "",
            ": keep-alive",
            "",
            "event:video.progress",
            "data:{\"percent\":40}",
            "id: 7",
            "",
            "data: first",
            "data: second",
            "");

    assertThat(events)
        .containsExactly(
            new SseEvent("video.status", "{\"status\":\"queued\"}"),
            new SseEvent("video.progress", "{\"percent\":40}"),
            new SseEvent("message", "first\nsecond"));
  }

  @Test
  void an_event_cut_off_before_its_blank_line_is_not_delivered() {
    assertThat(feed("event: video.ready", "data: {}")).isEmpty();
  }

  private static List<SseEvent> feed(String... lines) {
    SseParser parser = new SseParser();
    List<SseEvent> out = new ArrayList<>();
    for (String l : lines) {
      parser.feed(l).ifPresent(out::add);
    }
    return out;
  }
}
