package dev.capstan.model.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The part of a video one chunk job encodes, in output frames on the HLS segment grid: frames
 * {@code [startFrame, endFrame)} at {@code fps}, which are segments {@code firstSegment} on. The
 * last chunk runs to the end of the source ({@code endFrame} is then {@link Long#MAX_VALUE}).
 *
 * @param parentJobId the flow's parent job, which waits for its chunks
 * @param parentAttempt the parent's attempt whose prefix the chunk writes under
 * @param index position of the chunk in the video, from 0
 * @param count how many chunks the video has
 * @param keyframes when the top rung was stream-copied from the source: the output frames of the
 *     range where the copy's segments start, the only places a keyframe may go (so every rung is
 *     cut where the copy is); empty: the fixed GOP grid
 * @param copiedRung the rung the parent stream-copied (the chunk encodes the others), or null
 * @param audio true for the flow's audio child: it encodes the audio rendition of the whole video
 *     (no picture; the frame range is unused) and has {@code index == count}, one past the last
 *     picture chunk, so its file names are its own
 */
public record ChunkRange(
    @JsonProperty("parentJobId") String parentJobId,
    @JsonProperty("parentAttempt") int parentAttempt,
    @JsonProperty("index") int index,
    @JsonProperty("count") int count,
    @JsonProperty("startFrame") long startFrame,
    @JsonProperty("endFrame") long endFrame,
    @JsonProperty("firstSegment") int firstSegment,
    @JsonProperty("fps") double fps,
    @JsonProperty("keyframes") List<Long> keyframes,
    @JsonProperty("copiedRung") String copiedRung,
    @JsonProperty("audio") boolean audio) {

  public ChunkRange {
    keyframes = keyframes == null ? List.of() : List.copyOf(keyframes);
  }

  /** A chunk on the fixed GOP grid, every rung encoded. */
  public ChunkRange(
      String parentJobId,
      int parentAttempt,
      int index,
      int count,
      long startFrame,
      long endFrame,
      int firstSegment,
      double fps) {
    this(
        parentJobId,
        parentAttempt,
        index,
        count,
        startFrame,
        endFrame,
        firstSegment,
        fps,
        List.of(),
        null,
        false);
  }

  /**
   * The audio child of a flow of {@code count} picture chunks: the audio rendition of the whole
   * video, encoded once (no clicks at chunk joins) by whichever worker takes it.
   */
  public static ChunkRange audioOf(String parentJobId, int parentAttempt, int count, double fps) {
    return new ChunkRange(
        parentJobId, parentAttempt, count, count, 0, 0, 0, fps, List.of(), null, true);
  }

  /** Whether this picture chunk runs to the end of the source. */
  public boolean last() {
    return !audio && index == count - 1;
  }

  /** Start of the range in seconds of the whole video. */
  public double startSeconds() {
    return startFrame / fps;
  }
}
