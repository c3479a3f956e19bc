package dev.capstan.bench.transcode;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.media.RenditionLadder.Rung;
import dev.capstan.worker.transcode.ThreadBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ffmpeg command lines that produce what Capstan's transcoder produces, with the same encoder
 * settings: one fMP4 HLS rendition per rung of {@link RenditionLadder#forSource} (4 s segments, a
 * fixed 4 s GOP without scene cuts) and the fast-start MP4 download at {@link
 * RenditionLadder#DOWNLOAD} (2 s GOP); libx264 veryfast CRF 23 High under each rung's cap (bufsize
 * twice the cap), bicubic scaling, AAC-LC stereo 48 kHz 128 kb/s. Keep in step with the worker's
 * transcoder.
 */
public final class CliLadder {
  static final double HLS_SEGMENT_SECONDS = 4;
  static final double DOWNLOAD_GOP_SECONDS = 2;

  /** One output of the ladder: an HLS rung, or the MP4 download when {@code hls} is false. */
  record Output(String name, Dimensions size, int maxKbps, double gopSeconds, boolean hls) {}

  private final String ffmpeg;
  private final Path source;
  private final double fps;
  private final boolean audio;
  private final List<Output> outputs;

  public CliLadder(String ffmpeg, Path source, Dimensions display, double fps, boolean audio) {
    this.ffmpeg = ffmpeg;
    this.source = source;
    this.fps = fps;
    this.audio = audio;
    List<Output> list = new ArrayList<>();
    for (Rung rung : RenditionLadder.forSource(display)) {
      list.add(
          new Output(
              rung.name(),
              RenditionLadder.outputSize(display, rung),
              rung.maxVideoKbps(),
              HLS_SEGMENT_SECONDS,
              true));
    }
    list.add(
        new Output(
            "download",
            RenditionLadder.outputSize(display, RenditionLadder.DOWNLOAD),
            RenditionLadder.DOWNLOAD.maxVideoKbps(),
            DOWNLOAD_GOP_SECONDS,
            false));
    this.outputs = List.copyOf(list);
  }

  List<Output> outputs() {
    return outputs;
  }

  /** B: one ffmpeg process that decodes once and splits the picture to every encoder. */
  public List<String> splitCommand(Path outDir) {
    return splitCommand(outDir, null);
  }

  /**
   * B with the threads Capstan's transcoder gives each stage: the decoder's and every encoder's
   * share of its budget, and one filter thread (Capstan scales on each encoder's thread); null
   * keeps ffmpeg's defaults.
   */
  public List<String> splitCommand(Path outDir, ThreadBudget threads) {
    List<String> cmd = new ArrayList<>(head());
    if (threads != null) {
      int input = cmd.indexOf("-i");
      cmd.addAll(input, List.of("-threads", Integer.toString(threads.decoder())));
      cmd.addAll(List.of("-filter_complex_threads", "1"));
    }
    StringBuilder graph = new StringBuilder("[0:v]split=%d".formatted(outputs.size()));
    for (int i = 0; i < outputs.size(); i++) {
      graph.append("[s").append(i).append(']');
    }
    for (int i = 0; i < outputs.size(); i++) {
      Dimensions d = outputs.get(i).size();
      graph.append(";[s%d]%s[o%d]".formatted(i, scale(d), i));
    }
    cmd.addAll(List.of("-filter_complex", graph.toString()));
    for (int i = 0; i < outputs.size(); i++) {
      cmd.addAll(List.of("-map", "[o" + i + "]"));
      if (threads != null) {
        cmd.addAll(List.of("-threads", Integer.toString(threads.encoders().get(i))));
      }
      cmd.addAll(encodeAndMux(outputs.get(i), outDir));
    }
    return cmd;
  }

  /** C: one ffmpeg process per output (the PeerTube way), each decoding the source again. */
  public List<List<String>> perRungCommands(Path outDir) {
    List<List<String>> cmds = new ArrayList<>();
    for (Output o : outputs) {
      List<String> cmd = head();
      cmd.addAll(List.of("-vf", scale(o.size()), "-map", "0:v:0"));
      cmd.addAll(encodeAndMux(o, outDir));
      cmds.add(cmd);
    }
    return cmds;
  }

  private List<String> head() {
    return new ArrayList<>(
        List.of(
            ffmpeg,
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-i",
            source.toString()));
  }

  private static String scale(Dimensions d) {
    return "scale=%d:%d:flags=bicubic,format=yuv420p".formatted(d.width(), d.height());
  }

  private List<String> encodeAndMux(Output o, Path outDir) {
    int gop = Math.max(1, (int) Math.round(fps * o.gopSeconds()));
    List<String> args = new ArrayList<>();
    if (audio) {
      args.addAll(List.of("-map", "0:a:0"));
    }
    args.addAll(
        List.of(
            "-c:v", "libx264",
            "-preset", "veryfast",
            "-crf", "23",
            "-profile:v", "high",
            "-pix_fmt", "yuv420p",
            "-maxrate", o.maxKbps() + "k",
            "-bufsize", (2 * o.maxKbps()) + "k",
            "-g", Integer.toString(gop),
            "-x264-params", "keyint=%d:min-keyint=%d:scenecut=0".formatted(gop, gop)));
    if (audio) {
      args.addAll(List.of("-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"));
    }
    if (o.hls()) {
      args.addAll(
          List.of(
              "-f",
              "hls",
              "-hls_time",
              Integer.toString((int) HLS_SEGMENT_SECONDS),
              "-hls_playlist_type",
              "vod",
              "-hls_segment_type",
              "fmp4",
              "-hls_fmp4_init_filename",
              o.name() + "_init.mp4",
              "-hls_segment_filename",
              outDir.resolve(o.name() + "_%03d.m4s").toString(),
              "-hls_flags",
              "independent_segments",
              outDir.resolve(o.name() + ".m3u8").toString()));
    } else {
      args.addAll(
          List.of(
              "-movflags", "+faststart", "-f", "mp4", outDir.resolve("download.mp4").toString()));
    }
    return args;
  }
}
