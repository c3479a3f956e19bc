package dev.capstan.worker.transcode;

import dev.capstan.model.media.Dimensions;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameFilter;

/**
 * The scrubbing preview: one small picture every {@code interval} seconds of the decode, laid out
 * in a grid on one JPEG sprite sheet, and a WebVTT file whose cues point into the sheet with {@code
 * #xywh=x,y,w,h} fragments (the format video.js, Vidstack, Plyr and JW Player read).
 */
final class StoryboardBuilder implements AutoCloseable {
  /** Tiles on their long side, in pixels. */
  static final int TILE_LONG_SIDE = 160;

  /** At most this many tiles: long videos get a longer interval, not a bigger sheet. */
  static final int MAX_TILES = 100;

  static final int COLUMNS = 10;

  /** Interval when the source does not say how long it is. */
  private static final double UNKNOWN_DURATION_INTERVAL = 10;

  private final Dimensions tile;
  private final double interval;
  private final int firstTile;
  private final Thumbnailer scaler;
  private final List<BufferedImage> tiles = new ArrayList<>();

  StoryboardBuilder(Dimensions display, double durationSeconds) {
    this(display, durationSeconds, Double.NEGATIVE_INFINITY);
  }

  /**
   * The tiles of one part of the video only (a chunk): those whose slot starts after {@code
   * afterSeconds} (the time of the picture before the part's first), numbered as in the whole
   * video, so the parts' tiles join into the whole storyboard.
   */
  StoryboardBuilder(Dimensions display, double durationSeconds, double afterSeconds) {
    this.tile = tileSize(display);
    this.interval = interval(durationSeconds);
    this.firstTile =
        afterSeconds < 0 ? 0 : (int) Math.min(MAX_TILES, Math.floor(afterSeconds / interval) + 1);
    this.scaler = new Thumbnailer(tile.width(), tile.height());
  }

  /** Seconds between tiles for a video of this duration. */
  static double interval(double durationSeconds) {
    return durationSeconds > 0
        ? Math.max(1, Math.ceil(durationSeconds / MAX_TILES))
        : UNKNOWN_DURATION_INTERVAL;
  }

  static Dimensions tileSize(Dimensions display) {
    double scale = (double) TILE_LONG_SIDE / Math.max(display.width(), display.height());
    return new Dimensions(
        even(display.width() * Math.min(1, scale)), even(display.height() * Math.min(1, scale)));
  }

  private static int even(double v) {
    int r = (int) Math.round(v);
    return Math.max(2, r - r % 2);
  }

  /** A decoded picture at {@code seconds}; kept when a tile's slot has come. */
  void offer(Frame picture, int pixelFormat, double seconds) throws FrameFilter.Exception {
    if (nextTile() >= MAX_TILES || seconds < nextTile() * interval) {
      return;
    }
    BufferedImage image = scaler.take(picture, pixelFormat);
    if (image == null) {
      return;
    }
    // A hole in the source's timing (VFR, dropped frames) leaves no slot empty.
    while (nextTile() < MAX_TILES && seconds >= nextTile() * interval) {
      tiles.add(image);
    }
  }

  private int nextTile() {
    return firstTile + tiles.size();
  }

  /** The tiles kept so far, side by side in one lossless strip, and where they go. */
  ChunkEncoder.Strip writeStrip(Path png) throws IOException {
    if (tiles.isEmpty()) {
      return new ChunkEncoder.Strip(null, firstTile, 0);
    }
    BufferedImage strip =
        new BufferedImage(tiles.size() * tile.width(), tile.height(), BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = strip.createGraphics();
    for (int i = 0; i < tiles.size(); i++) {
      g.drawImage(tiles.get(i), i * tile.width(), 0, null);
    }
    g.dispose();
    if (!ImageIO.write(strip, "png", png.toFile())) {
      throw new IOException("no PNG writer");
    }
    return new ChunkEncoder.Strip(png, firstTile, tiles.size());
  }

  /**
   * The storyboard of the whole video from its parts' strips, which must follow each other with no
   * tile missing or twice.
   */
  static TranscodeResult.Storyboard stitch(
      Dimensions display,
      double durationSeconds,
      List<ChunkEncoder.Strip> strips,
      Path sprite,
      Path vtt)
      throws IOException {
    Dimensions tile = tileSize(display);
    List<BufferedImage> all = new ArrayList<>();
    for (ChunkEncoder.Strip s : strips) {
      if (s.firstTile() != all.size()) {
        throw new IllegalStateException(
            "storyboard strip from tile " + s.firstTile() + " follows " + all.size() + " tiles");
      }
      if (s.tiles() == 0) {
        continue;
      }
      BufferedImage strip = ImageIO.read(s.png().toFile());
      if (strip == null
          || strip.getWidth() != s.tiles() * tile.width()
          || strip.getHeight() != tile.height()) {
        throw new IllegalStateException("storyboard strip " + s.png() + " is not its tiles");
      }
      for (int i = 0; i < s.tiles(); i++) {
        all.add(strip.getSubimage(i * tile.width(), 0, tile.width(), tile.height()));
      }
    }
    return render(
        all,
        tile,
        interval(durationSeconds),
        sprite,
        vtt,
        sprite.getFileName().toString(),
        durationSeconds);
  }

  /**
   * Writes the sheet and the cues; null when no picture was offered.
   *
   * @param spriteName how the cues name the sheet (relative to the VTT)
   * @param durationSeconds where the last cue ends
   */
  TranscodeResult.Storyboard write(Path sprite, Path vtt, String spriteName, double durationSeconds)
      throws IOException {
    return render(tiles, tile, interval, sprite, vtt, spriteName, durationSeconds);
  }

  private static TranscodeResult.Storyboard render(
      List<BufferedImage> tiles,
      Dimensions tile,
      double interval,
      Path sprite,
      Path vtt,
      String spriteName,
      double durationSeconds)
      throws IOException {
    if (tiles.isEmpty()) {
      return null;
    }
    int count = tiles.size();
    while (count > 1 && (count - 1) * interval >= durationSeconds) {
      count--; // a slot that starts after the end (rounding at the last frame)
    }
    int columns = Math.min(COLUMNS, count);
    int rows = (count + columns - 1) / columns;
    BufferedImage sheet =
        new BufferedImage(
            columns * tile.width(), rows * tile.height(), BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = sheet.createGraphics();
    StringBuilder cues = new StringBuilder("WEBVTT\n");
    for (int i = 0; i < count; i++) {
      int x = (i % columns) * tile.width();
      int y = (i / columns) * tile.height();
      g.drawImage(tiles.get(i), x, y, null);
      double from = i * interval;
      double to = i == count - 1 ? Math.max(durationSeconds, from + 0.001) : (i + 1) * interval;
      cues.append('\n')
          .append(timestamp(from))
          .append(" --> ")
          .append(timestamp(to))
          .append('\n')
          .append("%s#xywh=%d,%d,%d,%d\n".formatted(spriteName, x, y, tile.width(), tile.height()));
    }
    g.dispose();
    Jpeg.write(sheet, sprite);
    Files.writeString(vtt, cues, StandardCharsets.UTF_8);
    return new TranscodeResult.Storyboard(
        sprite,
        vtt,
        new Dimensions(sheet.getWidth(), sheet.getHeight()),
        tile,
        count,
        interval,
        Files.size(sprite),
        Files.size(vtt));
  }

  /** WebVTT's hh:mm:ss.ttt. */
  static String timestamp(double seconds) {
    long ms = Math.round(seconds * 1000);
    return String.format(
        Locale.ROOT,
        "%02d:%02d:%02d.%03d",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000);
  }

  @Override
  public void close() throws FrameFilter.Exception {
    scaler.close();
  }
}
