package dev.capstan.model.media;

/** A frame size in pixels. */
public record Dimensions(int width, int height) {
  public Dimensions {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("dimensions must be positive: " + width + "x" + height);
    }
  }

  public long pixels() {
    return (long) width * height;
  }

  /** The shorter side, which is what "720p" names for both landscape and portrait video. */
  public int shortSide() {
    return Math.min(width, height);
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
