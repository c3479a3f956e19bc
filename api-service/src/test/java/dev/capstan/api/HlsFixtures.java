package dev.capstan.api;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.storage.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.stream.Stream;

/** A video made ready with a real (tiny) HLS tree in S3, as the worker would leave it. */
final class HlsFixtures {
  static final String M3U8 = "application/vnd.apple.mpegurl";

  private HlsFixtures() {}

  /**
   * What the worker leaves behind: an fMP4 HLS rung of 1 s segments and a master playlist under the
   * attempt's prefix, their renditions rows, the video ready.
   */
  static Path readyWithHls(ObjectStore store, Path dir, String id) throws Exception {
    return withHls(store, dir, id, "ready");
  }

  /**
   * What a worker publishing progressively leaves while it encodes: the same tree, but the rung's
   * playlist in S3 is an EVENT playlist without its end, and the video is playable.
   */
  static Path playableWithHls(ObjectStore store, Path dir, String id) throws Exception {
    Path hls = withHls(store, dir, id, "playable");
    String growing =
        Files.readString(hls.resolve("360p.m3u8"))
            .replace("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-PLAYLIST-TYPE:EVENT")
            .replace("#EXT-X-ENDLIST\n", "");
    store.putStream(
        "videos/" + id + "/a1/hls/360p.m3u8",
        new java.io.ByteArrayInputStream(growing.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        M3U8);
    return hls;
  }

  private static Path withHls(ObjectStore store, Path dir, String id, String status)
      throws Exception {
    Path hls = Files.createDirectories(dir.resolve(id));
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30",
        "-t",
        "3",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "30",
        "-f",
        "hls",
        "-hls_time",
        "1",
        "-hls_playlist_type",
        "vod",
        "-hls_segment_type",
        "fmp4",
        "-hls_fmp4_init_filename",
        "360p_init.mp4",
        "-hls_segment_filename",
        hls.resolve("360p_%03d.m4s").toString(),
        hls.resolve("360p.m3u8").toString());
    Files.writeString(
        hls.resolve("master.m3u8"),
        """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x180,CODECS="avc1.64000d"
        360p.m3u8
        """);
    String prefix = "videos/" + id + "/a1/";
    try (Stream<Path> files = Files.list(hls)) {
      for (Path f : files.toList()) {
        store.putFile(
            prefix + "hls/" + f.getFileName(),
            f,
            f.toString().endsWith(".m3u8") ? M3U8 : "video/mp4");
      }
    }
    try (var c = CapstanTestServices.services.database().connect()) {
      try (var s =
          c.prepareStatement(
              "update videos set status = ?, output_prefix = ?, duration_seconds = 3.0,"
                  + " width = 320, height = 180 where id = ?")) {
        s.setString(1, status);
        s.setString(2, prefix);
        s.setString(3, id);
        s.executeUpdate();
      }
      for (String[] r :
          new String[][] {
            {"hls", "master", "hls/master.m3u8"}, {"hls_rung", "360p", "hls/360p.m3u8"}
          }) {
        try (var s =
            c.prepareStatement(
                "insert into renditions (video_id, attempt, kind, name, s3_key, size_bytes,"
                    + " created_at) values (?, 1, ?, ?, ?, 1, ?)")) {
          s.setString(1, id);
          s.setString(2, r[0]);
          s.setString(3, r[1]);
          s.setString(4, prefix + r[2]);
          s.setTimestamp(5, Timestamp.from(Instant.now()));
          s.executeUpdate();
        }
      }
    }
    return hls;
  }

  private static void ffmpeg(String... args) throws Exception {
    SampleClips.ffmpeg(args);
  }
}
