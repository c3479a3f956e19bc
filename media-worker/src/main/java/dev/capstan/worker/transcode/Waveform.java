package dev.capstan.worker.transcode;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import org.bytedeco.javacv.Frame;

/**
 * The poster of an audio-only source: its waveform, drawn from the peaks of the decoded samples
 * (one peak per 50 ms window), so two recordings get different posters.
 */
final class Waveform {
  private static final double WINDOW_SECONDS = 0.05;
  private static final Color BACKGROUND = new Color(0x16, 0x1b, 0x22);
  private static final Color BARS = new Color(0x4c, 0x9a, 0xff);

  private float[] peaks = new float[1024];
  private int windows;
  private long samplesInWindow;
  private float windowPeak;

  /** Decoded audio; reads the first channel without moving the buffer's position. */
  void offer(Frame audio) {
    if (audio.samples == null || audio.samples.length == 0 || audio.sampleRate <= 0) {
      return;
    }
    Buffer b = audio.samples[0];
    // Interleaved samples hold every channel in one buffer; planar ones one buffer per channel.
    int stride = audio.samples.length == 1 ? Math.max(1, audio.audioChannels) : 1;
    long perWindow = Math.max(1, Math.round(audio.sampleRate * WINDOW_SECONDS));
    for (int i = b.position(); i < b.limit(); i += stride) {
      windowPeak = Math.max(windowPeak, Math.abs(sample(b, i)));
      if (++samplesInWindow >= perWindow) {
        push();
      }
    }
  }

  private static float sample(Buffer b, int i) {
    return switch (b) {
      case FloatBuffer f -> f.get(i);
      case ShortBuffer s -> s.get(i) / 32768f;
      case IntBuffer n -> n.get(i) / 2147483648f;
      case DoubleBuffer d -> (float) d.get(i);
      case ByteBuffer u -> ((u.get(i) & 0xff) - 128) / 128f;
      default -> 0;
    };
  }

  private void push() {
    if (windows == peaks.length) {
      peaks = Arrays.copyOf(peaks, windows * 2);
    }
    peaks[windows++] = Math.min(1, windowPeak);
    windowPeak = 0;
    samplesInWindow = 0;
  }

  /**
   * The waveform as an image: one bar per three columns, the loudest window of its span, scaled so
   * the loudest bar is 80% of the height.
   */
  BufferedImage render(int width, int height) {
    if (samplesInWindow > 0) {
      push();
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(BACKGROUND);
    g.fillRect(0, 0, width, height);
    g.setColor(BARS);
    int bars = width / 3;
    int mid = height / 2;
    float loudest = 0;
    for (int w = 0; w < windows; w++) {
      loudest = Math.max(loudest, peaks[w]);
    }
    // Quiet recordings fill the picture as well as loud ones.
    float gain = loudest > 0 ? 1 / loudest : 1;
    for (int bar = 0; bar < bars && windows > 0; bar++) {
      int from = (int) ((long) bar * windows / bars);
      int to = Math.max(from + 1, (int) ((long) (bar + 1) * windows / bars));
      float peak = 0;
      for (int w = from; w < Math.min(to, windows); w++) {
        peak = Math.max(peak, peaks[w]);
      }
      int half = Math.max(1, Math.round(peak * gain * height * 0.4f));
      g.fillRect(bar * 3, mid - half, 2, 2 * half);
    }
    g.dispose();
    return image;
  }
}
