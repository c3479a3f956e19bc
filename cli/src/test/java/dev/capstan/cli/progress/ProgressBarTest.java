package dev.capstan.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void a_frame_shows_bar_percent_bytes_rate_and_eta() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(sink, true, StandardCharsets.UTF_8), 100);
    bar.start("clip.mp4", 8L * 1024 * 1024, 0, 1, 0);
    bar.finishTransfer();

    String frame = bar.render(3_774_874, 2.0 * 1024 * 1024);

    assertThat(frame)
        .startsWith("clip.mp4 [=============>")
        .contains("]  45%  3.6 MiB/8.0 MiB  2.0 MiB/s  ETA 0:02");
    assertThat(frame.length()).isLessThan(100);
    assertThat(sink.toString(StandardCharsets.UTF_8)).startsWith("\rclip.mp4 [>").endsWith("\n");
  }

  @Test
  void the_bar_fills_with_the_fraction() {
    assertThat(ProgressBar.bar(0, 10)).isEqualTo("[>         ]");
    assertThat(ProgressBar.bar(0.5, 10)).isEqualTo("[=====>    ]");
    assertThat(ProgressBar.bar(1, 10)).isEqualTo("[==========]");
  }

  @Test
  void units_read_as_people_expect() {
    assertThat(Units.bytes(512)).isEqualTo("512 B");
    assertThat(Units.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(Units.bytes(12L * 1024 * 1024)).isEqualTo("12.0 MiB");
    assertThat(Units.rate(1024 * 1024)).isEqualTo("1.0 MiB/s");
    assertThat(Units.eta(7)).isEqualTo("0:07");
    assertThat(Units.eta(3723)).isEqualTo("1:02:03");
    assertThat(Units.eta(Double.NaN)).isEqualTo("--:--");
  }
}
