package dev.capstan.worker.job;

import dev.capstan.worker.transcode.ChunkEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * How a video is cut into chunks: whole HLS segments of output frames, {@code segmentsPerChunk} per
 * chunk, the last chunk taking what is left (between half a chunk and one and a half).
 */
public final class ChunkPlan {
  private ChunkPlan() {}

  /**
   * One chunk: output frames {@code [startFrame, endFrame)}, segments from {@code firstSegment}.
   */
  public record Range(int index, long startFrame, long endFrame, int firstSegment) {}

  /**
   * Chunks of {@code segmentsPerChunk} whole segments of a stream-copied rung, whose segments start
   * at output frames {@code segmentStarts} (the first at 0), the last chunk taking what is left.
   */
  public static List<Range> ofCuts(List<Long> segmentStarts, int segmentsPerChunk) {
    if (segmentsPerChunk < 1) {
      throw new IllegalArgumentException("a chunk is at least one segment: " + segmentsPerChunk);
    }
    int segments = segmentStarts.size();
    int count = (int) Math.max(1, Math.round((double) segments / segmentsPerChunk));
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int first = i * segmentsPerChunk;
      ranges.add(
          new Range(
              i,
              segmentStarts.get(first),
              i == count - 1 ? Long.MAX_VALUE : segmentStarts.get(first + segmentsPerChunk),
              first));
    }
    return List.copyOf(ranges);
  }

  public static List<Range> of(double fps, double durationSeconds, int segmentsPerChunk) {
    if (segmentsPerChunk < 1) {
      throw new IllegalArgumentException("a chunk is at least one segment: " + segmentsPerChunk);
    }
    long totalFrames = Math.round(durationSeconds * fps);
    long perChunk = (long) segmentsPerChunk * ChunkEncoder.segmentFrames(fps);
    int count = (int) Math.max(1, Math.round((double) totalFrames / perChunk));
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ranges.add(
          new Range(
              i,
              i * perChunk,
              i == count - 1 ? Long.MAX_VALUE : (i + 1) * perChunk,
              i * segmentsPerChunk));
    }
    return List.copyOf(ranges);
  }
}
