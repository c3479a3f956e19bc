package dev.capstan.worker.transcode;

import dev.capstan.model.media.Dimensions;
import java.util.List;

/**
 * The H.264 level a rung is encoded at (High profile): the lowest level of ITU-T H.264 Annex A
 * (table A-1) whose frame size, macroblock rate, bitrate and buffer limits hold the rung, so a
 * player that checks the level in the CODECS string knows it can decode the rung.
 */
public final class H264Level {
  /** One row of table A-1; bitrates are the Baseline/Main values, High allows 1.25 times them. */
  private record Level(
      String name, long maxMbPerSecond, long maxFrameMbs, long maxKbps, long maxCpbKbits) {}

  private static final double HIGH_FACTOR = 1.25;

  private static final List<Level> LEVELS =
      List.of(
          new Level("1", 1_485, 99, 64, 175),
          new Level("1.1", 3_000, 396, 192, 500),
          new Level("1.2", 6_000, 396, 384, 1_000),
          new Level("1.3", 11_880, 396, 768, 2_000),
          new Level("2", 11_880, 396, 2_000, 2_000),
          new Level("2.1", 19_800, 792, 4_000, 4_000),
          new Level("2.2", 20_250, 1_620, 4_000, 4_000),
          new Level("3", 40_500, 1_620, 10_000, 10_000),
          new Level("3.1", 108_000, 3_600, 14_000, 14_000),
          new Level("3.2", 216_000, 5_120, 20_000, 20_000),
          new Level("4", 245_760, 8_192, 20_000, 25_000),
          new Level("4.1", 245_760, 8_192, 50_000, 62_500),
          new Level("4.2", 522_240, 8_704, 50_000, 62_500),
          new Level("5", 589_824, 22_080, 135_000, 135_000),
          new Level("5.1", 983_040, 36_864, 240_000, 240_000),
          new Level("5.2", 2_073_600, 36_864, 240_000, 240_000),
          new Level("6", 4_177_920, 139_264, 240_000, 240_000),
          new Level("6.1", 8_355_840, 139_264, 480_000, 480_000),
          new Level("6.2", 16_711_680, 139_264, 800_000, 800_000));

  private H264Level() {}

  /**
   * The level for a picture of {@code size} at {@code fps} under a VBV of {@code maxKbps} with a
   * buffer of {@code bufferKbits}, as x264 names it ({@code "3.1"}).
   */
  public static String of(Dimensions size, double fps, int maxKbps, int bufferKbits) {
    long widthMbs = (size.width() + 15) / 16;
    long heightMbs = (size.height() + 15) / 16;
    long frameMbs = widthMbs * heightMbs;
    double mbPerSecond = frameMbs * fps;
    for (Level level : LEVELS) {
      // Neither side may exceed sqrt(8 × MaxFS) macroblocks (A.3.1 item f).
      double maxSide = Math.sqrt(8.0 * level.maxFrameMbs());
      if (frameMbs <= level.maxFrameMbs()
          && widthMbs <= maxSide
          && heightMbs <= maxSide
          && mbPerSecond <= level.maxMbPerSecond()
          && maxKbps <= level.maxKbps() * HIGH_FACTOR
          && bufferKbits <= level.maxCpbKbits() * HIGH_FACTOR) {
        return level.name();
      }
    }
    return LEVELS.get(LEVELS.size() - 1).name();
  }
}
