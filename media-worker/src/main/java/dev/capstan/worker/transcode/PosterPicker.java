package dev.capstan.worker.transcode;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameFilter;

/**
 * Chooses the poster among a few candidate frames spread over the video: the one whose luma varies
 * most (a black, white or flat frame scores close to nothing), so a fade-in or a title card of one
 * colour never becomes the poster. Only a candidate that beats the best so far is scaled.
 */
final class PosterPicker implements AutoCloseable {
  /** Where candidates are taken, as shares of the duration. */
  private static final double[] SHARES = {0.1, 0.25, 0.4, 0.5, 0.6, 0.75};

  /** Where candidates are taken when the duration is unknown, in seconds. */
  private static final double[] SECONDS = {1, 3, 5, 10, 20, 40};

  private final double[] candidates;
  private final Thumbnailer scaler;
  private int next;
  private boolean first;
  private double bestScore = -1;
  private BufferedImage best;

  PosterPicker(int width, int height, double durationSeconds) {
    this(width, height, durationSeconds, Double.NEGATIVE_INFINITY);
  }

  /**
   * The best candidate of one part of the video only (a chunk): the candidates after {@code
   * afterSeconds} (the time of the picture before the part's first); the first picture is one only
   * for the part that starts the video. The best of the parts' bests is the whole video's.
   */
  PosterPicker(int width, int height, double durationSeconds, double afterSeconds) {
    this.scaler = new Thumbnailer(width, height);
    double[] all;
    if (durationSeconds > 0) {
      all = new double[SHARES.length];
      for (int i = 0; i < SHARES.length; i++) {
        all[i] = SHARES[i] * durationSeconds;
      }
    } else {
      all = SECONDS.clone();
    }
    candidates = Arrays.stream(all).filter(c -> c > afterSeconds).toArray();
    first = afterSeconds < 0;
  }

  /** A decoded picture (YUV, luma plane first) at {@code seconds} into the source. */
  void offer(Frame picture, int pixelFormat, double seconds) throws FrameFilter.Exception {
    boolean due = next < candidates.length && seconds >= candidates[next];
    if (!due && !first) {
      return;
    }
    // The first frame is a candidate too: a clip shorter than every candidate still has a poster.
    first = false;
    while (next < candidates.length && seconds >= candidates[next]) {
      next++;
    }
    double score = lumaScore(picture);
    if (score > bestScore) {
      BufferedImage image = scaler.take(picture, pixelFormat);
      if (image != null) {
        best = image;
        bestScore = score;
      }
    }
  }

  /** The chosen frame's measure (see {@link #lumaScore}); -1 when there is none. */
  double bestScore() {
    return bestScore;
  }

  /** The chosen frame; null if no picture was offered. */
  BufferedImage best() {
    return best;
  }

  /**
   * Variance of the luma (sampled on a grid), divided by 20 when the picture is nearly black or
   * nearly white: a picture with detail wins over a flat one.
   */
  static double lumaScore(Frame picture) {
    ByteBuffer plane = (ByteBuffer) picture.image[0];
    int w = picture.imageWidth;
    int h = picture.imageHeight;
    int stride = picture.imageStride;
    int step = Math.max(1, Math.min(w, h) / 64);
    double sum = 0;
    double sumSquares = 0;
    long n = 0;
    for (int y = 0; y < h; y += step) {
      int row = y * stride;
      for (int x = 0; x < w; x += step) {
        int v = plane.get(row + x) & 0xff;
        sum += v;
        sumSquares += (double) v * v;
        n++;
      }
    }
    if (n == 0) {
      return 0;
    }
    double mean = sum / n;
    double variance = sumSquares / n - mean * mean;
    return mean < 24 || mean > 232 ? variance / 20 : variance;
  }

  @Override
  public void close() throws FrameFilter.Exception {
    scaler.close();
  }
}
