package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.FFmpegFrameRecorder;

/**
 * Keyframes at given frame slots, as FFmpeg's {@code -force_key_frames} makes them: the picture
 * handed to the encoder is marked {@code AV_PICTURE_TYPE_I} (libx264 with {@code forced-idr} makes
 * it an IDR). JavaCV's recorder has no setter for it, so the mark goes on its private picture,
 * which it reuses for every frame and never resets, before {@code record} and off after.
 */
final class ForcedKeyframes {
  private static final VarHandle PICTURE;

  static {
    try {
      PICTURE =
          MethodHandles.privateLookupIn(FFmpegFrameRecorder.class, MethodHandles.lookup())
              .findVarHandle(FFmpegFrameRecorder.class, "picture", AVFrame.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Set<Long> slots;

  /**
   * @param slots frame numbers (from 0, at the output rate) that must be keyframes
   */
  ForcedKeyframes(Set<Long> slots) {
    this.slots = Set.copyOf(slots);
  }

  static ForcedKeyframes none() {
    return new ForcedKeyframes(Set.of());
  }

  boolean isEmpty() {
    return slots.isEmpty();
  }

  boolean at(long slot) {
    return slots.contains(slot);
  }

  /** Marks (or unmarks) the next picture {@code recorder} encodes as a keyframe. */
  static void mark(FFmpegFrameRecorder recorder, boolean key) {
    AVFrame picture = (AVFrame) PICTURE.get(recorder);
    if (picture != null) {
      picture.pict_type(key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
    }
  }
}
