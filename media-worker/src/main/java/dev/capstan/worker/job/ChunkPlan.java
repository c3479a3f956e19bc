package dev.capstan.worker.job;

import dev.capstan.worker.transcode.ChunkEncoder;
import java.util.ArrayList;
import java.util.Comparator;
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

  /**
   * The order in which a flow's chunks are queued: chunk 0 first (the video plays once it is
   * there), then the others longest first, in index order among equals. The last chunk may run up
   * to half a chunk longer than the rest; queued last, it would be the one chunk still encoding
   * when every other worker has run dry (the classic longest-first rule for a fleet's makespan).
   * {@code totalFrames} bounds the last chunk, whose range runs to the end.
   */
  public static List<Range> dispatchOrder(List<Range> plan, long totalFrames) {
    if (plan.size() < 3) {
      return plan;
    }
    List<Range> rest = new ArrayList<>(plan.subList(1, plan.size()));
    rest.sort(
        Comparator.comparingLong(
                (Range r) -> -(Math.min(r.endFrame(), totalFrames) - r.startFrame()))
            .thenComparingInt(Range::index));
    List<Range> out = new ArrayList<>(plan.size());
    out.add(plan.get(0));
    out.addAll(rest);
    return List.copyOf(out);
  }
}
