package dev.capstan.worker.transcode;

/** What a running transcode reports to, and asks, the job that runs it. */
public interface TranscodeListener {

  /** Share of the source done, 0 to 1; called often, so keep it cheap. */
  void progress(double fraction);

  /** True once the job no longer wants the output (lease lost, worker draining). */
  boolean shouldStop();

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
