package dev.capstan.worker.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the timing of fragmented MP4 files straight from their boxes, without FFmpeg: the media
 * timescale of an init segment ({@code mdhd}), and of a media segment the decode time of its first
 * sample ({@code tfdt}), its sample count and the sum of its sample durations ({@code trun}, or the
 * {@code tfhd}/{@code trex} default).
 */
public final class Fmp4 {
  private Fmp4() {}

  /** Timing of one media segment (one track). */
  public record Fragment(long baseDecodeTime, int samples, long duration) {}

  public static long timescale(Path init) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(init));
    long[] found = {-1};
    walk(
        b,
        0,
        b.limit(),
        (type, start, end) -> {
          if (type.equals("mdhd") && found[0] < 0) {
            int version = b.get(start) & 0xff;
            found[0] = Integer.toUnsignedLong(b.getInt(start + (version == 1 ? 20 : 12)));
          }
        });
    return found[0];
  }

  /** Default sample duration from the init segment's {@code trex}, 0 when absent. */
  public static long defaultSampleDuration(Path init) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(init));
    long[] found = {0};
    walk(
        b,
        0,
        b.limit(),
        (type, start, end) -> {
          if (type.equals("trex")) {
            found[0] = Integer.toUnsignedLong(b.getInt(start + 12));
          }
        });
    return found[0];
  }

  /** All fragments of a media segment, added up (HLS segments hold one or more). */
  public static Fragment fragment(Path segment, long trexDuration) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
    long[] tfdt = {-1};
    long[] defaultDuration = {trexDuration};
    int[] samples = {0};
    long[] duration = {0};
    walk(
        b,
        0,
        b.limit(),
        (type, start, end) -> {
          switch (type) {
            case "tfhd" -> {
              int flags = b.getInt(start) & 0xffffff;
              int p = start + 8;
              if ((flags & 0x1) != 0) p += 8;
              if ((flags & 0x2) != 0) p += 4;
              if ((flags & 0x8) != 0) defaultDuration[0] = Integer.toUnsignedLong(b.getInt(p));
            }
            case "tfdt" -> {
              if (tfdt[0] < 0) {
                int version = b.get(start) & 0xff;
                tfdt[0] =
                    version == 1
                        ? b.getLong(start + 4)
                        : Integer.toUnsignedLong(b.getInt(start + 4));
              }
            }
            case "trun" -> {
              int flags = b.getInt(start) & 0xffffff;
              int count = b.getInt(start + 4);
              int p = start + 8;
              if ((flags & 0x1) != 0) p += 4;
              if ((flags & 0x4) != 0) p += 4;
              for (int i = 0; i < count; i++) {
                long d = defaultDuration[0];
                if ((flags & 0x100) != 0) {
                  d = Integer.toUnsignedLong(b.getInt(p));
                  p += 4;
                }
                if ((flags & 0x200) != 0) p += 4;
                if ((flags & 0x400) != 0) p += 4;
                if ((flags & 0x800) != 0) p += 4;
                duration[0] += d;
              }
              samples[0] += count;
            }
            default -> {}
          }
        });
    return new Fragment(tfdt[0], samples[0], duration[0]);
  }

  private interface Visitor {
    void box(String type, int contentStart, int end);
  }

  private static void walk(ByteBuffer b, int from, int to, Visitor v) {
    int pos = from;
    while (pos + 8 <= to) {
      long size = Integer.toUnsignedLong(b.getInt(pos));
      byte[] t = new byte[4];
      b.get(pos + 4, t);
      String type = new String(t, StandardCharsets.ISO_8859_1);
      int header = 8;
      if (size == 1) {
        size = b.getLong(pos + 8);
        header = 16;
      } else if (size == 0) {
        size = to - pos;
      }
      int end = (int) Math.min(to, pos + size);
      switch (type) {
        case "moov", "trak", "mdia", "moof", "traf", "mvex" -> walk(b, pos + header, end, v);
        default -> v.box(type, pos + header, end);
      }
      pos = end;
    }
  }
}
