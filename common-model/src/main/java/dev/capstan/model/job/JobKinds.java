package dev.capstan.model.job;

/** Every job kind the system knows. */
public final class JobKinds {
  public static final JobDescriptor<TranscodeJob> TRANSCODE =
      new JobDescriptor<>("transcode", TranscodeJob.class);

  private JobKinds() {}
}
