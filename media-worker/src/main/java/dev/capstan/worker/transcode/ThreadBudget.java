package dev.capstan.worker.transcode;

import dev.capstan.model.media.Dimensions;
import java.util.List;

/**
 * Shares the worker's threads ({@code capstan.worker.threads}) among the decoder and the encoders
 * of one transcode, in proportion to the pixels each handles per frame; the decoder's pixels count
 * a quarter (decoding H.264 costs a fraction of encoding it with libx264 veryfast). Every one gets
 * at least one thread. Each encoder runs on a thread of its own, so one libx264 thread per encoder
 * already keeps several cores busy, and fewer frame threads per encoder cost less CPU.
 *
 * @param decoder threads of the decoder
 * @param encoders threads of each encoder, in the order asked
 */
public record ThreadBudget(int decoder, List<Integer> encoders) {
  /** A decoded pixel weighs this much against an encoded one. */
  private static final double DECODE_WEIGHT = 0.25;

  /**
   * @param threads the budget; 0 means one per core
   * @param source the decoded picture size
   * @param outputs every encoder's picture size
   */
  public static ThreadBudget share(int threads, Dimensions source, List<Dimensions> outputs) {
    int budget = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    double decodeWeight = pixels(source) * DECODE_WEIGHT;
    double total = decodeWeight + outputs.stream().mapToDouble(ThreadBudget::pixels).sum();
    int decoder = slice(budget, decodeWeight, total);
    List<Integer> encoders = outputs.stream().map(d -> slice(budget, pixels(d), total)).toList();
    return new ThreadBudget(decoder, encoders);
  }

  private static double pixels(Dimensions d) {
    return (double) d.width() * d.height();
  }

  private static int slice(int budget, double weight, double total) {
    return Math.max(1, (int) Math.floor(budget * weight / total));
  }
}
