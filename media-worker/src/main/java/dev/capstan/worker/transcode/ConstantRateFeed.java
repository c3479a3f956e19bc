package dev.capstan.worker.transcode;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import org.bytedeco.javacv.Frame;

/**
 * Feeds the encoders at a constant frame rate, as FFmpeg's {@code fps} filter does: a picture goes
 * into the slot nearest its timestamp, a hole in the source's timing (variable frame rate, dropped
 * frames) is filled by repeating the picture before it, and a picture that comes when its slot is
 * already taken is dropped. HLS needs this: the segmenter adds up frame durations, so holes would
 * shorten the playlist and shift the audio.
 *
 * <p>Keeping the picture before costs a copy of every frame, so it is done only for sources that
 * are variable-rate by their probe; a hole in a constant-rate source is filled with the next
 * picture instead.
 */
final class ConstantRateFeed {
  private final double slotUs;
  private final boolean keepPrevious;
  private final ForcedKeyframes keyframes;
  private Frame previous;
  private int previousFormat;
  private ByteBuffer previousBytes;
  private long slot;

  ConstantRateFeed(double fps, boolean keepPrevious) {
    this(fps, keepPrevious, ForcedKeyframes.none());
  }

  /** As above, with a keyframe forced into every recorder at each of {@code keyframes}' slots. */
  ConstantRateFeed(double fps, boolean keepPrevious, ForcedKeyframes keyframes) {
    this.slotUs = 1_000_000 / fps;
    this.keepPrevious = keepPrevious;
    this.keyframes = keyframes;
  }

  /** Hands {@code picture} (shown from {@code timestampUs}) to the encoders, or drops it. */
  void record(EncoderFanOut encoders, Frame picture, int pixelFormat, long timestampUs) {
    long due = Math.round(timestampUs / slotUs); // the nearest slot, as the fps filter rounds
    if (due < slot) {
      return; // its slot is taken: more pictures than the output rate holds
    }
    while (slot < due) {
      boolean repeat = previous != null;
      write(encoders, repeat ? previous : picture, repeat ? previousFormat : pixelFormat);
    }
    write(encoders, picture, pixelFormat);
    if (keepPrevious) {
      keep(picture, pixelFormat);
    }
  }

  private void write(EncoderFanOut encoders, Frame picture, int pixelFormat) {
    encoders.picture(picture, pixelFormat, keyframes.at(slot));
    slot++;
  }

  /**
   * Copies the picture into a buffer of our own (the decoder reuses its buffers): all its planes,
   * which lie beyond the limit of its buffer (the limit ends the first plane).
   */
  private void keep(Frame picture, int pixelFormat) {
    ByteBuffer source = ((ByteBuffer) picture.image[0]).duplicate();
    source.clear();
    int size = source.limit();
    if (previousBytes == null || previousBytes.capacity() < size) {
      previousBytes = ByteBuffer.allocateDirect(size);
    }
    previousBytes.clear();
    previousBytes.put(source);
    previousBytes.flip();
    if (previous == null) {
      previous = new Frame();
    }
    previous.imageWidth = picture.imageWidth;
    previous.imageHeight = picture.imageHeight;
    previous.imageDepth = picture.imageDepth;
    previous.imageChannels = picture.imageChannels;
    previous.imageStride = picture.imageStride;
    previous.image = new Buffer[] {previousBytes};
    previousFormat = pixelFormat;
  }
}
