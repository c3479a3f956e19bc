package dev.capstan.model.media;

import java.util.List;

/**
 * The rendition ladder and its maths: which rungs a source gets, and the exact output size of each.
 * Rungs are named by the short side, so portrait video gets the same ladder as landscape.
 */
public final class RenditionLadder {

  /** One rung: its name, short side in pixels and video bitrate cap. */
  public record Rung(String name, int shortSide, int maxVideoKbps) {}

  public static final List<Rung> RUNGS =
      List.of(
          new Rung("2160p", 2160, 16000),
          new Rung("1440p", 1440, 9000),
          new Rung("1080p", 1080, 5000),
          new Rung("720p", 720, 2800),
          new Rung("480p", 480, 1400),
          new Rung("360p", 360, 800));

  /** The rung of the MP4 download rendition of the walking skeleton. */
  public static final Rung DOWNLOAD = RUNGS.get(3);

  private RenditionLadder() {}

  /**
   * Rungs at or below the source, largest first; a source smaller than the lowest rung still gets
   * one rung, at its own size.
   */
  public static List<Rung> forSource(Dimensions source) {
    List<Rung> fitting = RUNGS.stream().filter(r -> r.shortSide() <= source.shortSide()).toList();
    return fitting.isEmpty() ? List.of(RUNGS.get(RUNGS.size() - 1)) : fitting;
  }

  /**
   * Output size for a rung: the source scaled so its short side is at most the rung's, aspect kept,
   * both sides even (H.264 4:2:0 needs that), never larger than the source.
   */
  public static Dimensions outputSize(Dimensions source, Rung rung) {
    int shortSide = Math.min(rung.shortSide(), source.shortSide());
    double scale = (double) shortSide / source.shortSide();
    int w = even(source.width() * scale);
    int h = even(source.height() * scale);
    return new Dimensions(w, h);
  }

  private static int even(double v) {
    int rounded = (int) Math.round(v);
    int evenValue = rounded - (rounded % 2);
    return Math.max(2, evenValue);
  }
}
