package dev.capstan.worker.transcode;

/** What a running transcode reports to, and asks, the job that runs it. */
public interface TranscodeListener {

  /** Share of the source done, 0 to 1; called often, so keep it cheap. */
  void progress(double fraction);

  /** True once the job no longer wants the output (lease lost, worker draining). */
  boolean shouldStop();

  /**
   * Told before any video rendition's playlist appears, when its segments will not all be {@code
   * hls_time} long (a stream copy cuts at the source's own keyframes): the {@code
   * EXT-X-TARGETDURATION} every video playlist must carry from its first version on, since RFC 8216
   * forbids it to change while the playlist grows (the muxer only knows the longest segment so
   * far).
   */
  default void hlsTargetDuration(int seconds) {}

  TranscodeListener NONE =
      new TranscodeListener() {
        @Override
        public void progress(double fraction) {}

        @Override
        public boolean shouldStop() {
          return false;
        }
      };
}
