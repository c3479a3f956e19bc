package dev.capstan.bench.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.media.Dimensions;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class CliLadderTest {
  private final CliLadder ladder =
      new CliLadder("ffmpeg", Path.of("src.mp4"), new Dimensions(1920, 1080), 30, true);

  @Test
  void a_1080p_source_gets_four_hls_rungs_and_the_720p_download() {
    assertThat(ladder.outputs())
        .extracting(o -> o.name() + " " + o.size() + " " + o.maxKbps() + " " + o.gopSeconds())
        .containsExactly(
            "1080p 1920x1080 5000 4.0",
            "720p 1280x720 2800 4.0",
            "480p 852x480 1400 4.0",
            "360p 640x360 800 4.0",
            "download 1280x720 2800 2.0");
  }

  @Test
  void the_split_command_decodes_once_and_encodes_every_output_with_the_workers_settings() {
    List<String> cmd = ladder.splitCommand(Path.of("/out"));
    assertThat(Collections.frequency(cmd, "-i")).isOne();
    String graph = cmd.get(cmd.indexOf("-filter_complex") + 1);
    assertThat(graph)
        .startsWith("[0:v]split=5[s0][s1][s2][s3][s4];")
        .contains("[s2]scale=852:480:flags=bicubic,format=yuv420p[o2]");
    assertThat(Collections.frequency(cmd, "libx264")).isEqualTo(5);
    assertThat(Collections.frequency(cmd, "veryfast")).isEqualTo(5);
    assertThat(Collections.frequency(cmd, "aac")).isEqualTo(5);
    assertThat(String.join(" ", cmd))
        .contains("-crf 23 -profile:v high -pix_fmt yuv420p -maxrate 5000k -bufsize 10000k -g 120")
        .contains("keyint=120:min-keyint=120:scenecut=0")
        .contains("-hls_time 4 -hls_playlist_type vod -hls_segment_type fmp4")
        .contains("-maxrate 2800k -bufsize 5600k -g 60 -x264-params keyint=60:min-keyint=60")
        .endsWith("-movflags +faststart -f mp4 /out/download.mp4");
  }

  @Test
  void the_per_rung_way_runs_one_process_per_output_each_decoding_the_source() {
    List<List<String>> cmds = ladder.perRungCommands(Path.of("/out"));
    assertThat(cmds).hasSize(5);
    for (List<String> cmd : cmds) {
      assertThat(Collections.frequency(cmd, "-i")).isOne();
      assertThat(Collections.frequency(cmd, "libx264")).isOne();
    }
    assertThat(cmds.get(3))
        .contains("scale=640:360:flags=bicubic,format=yuv420p", "/out/360p.m3u8");
  }

  @Test
  void result_siblings_are_named_after_the_json_file() {
    assertThat(TranscodeBenchmark.sibling(Path.of("r/01-transcode.json"), "-rss"))
        .isEqualTo(Path.of("r/01-transcode-rss.json"));
  }
}
