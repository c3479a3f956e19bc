package dev.capstan.model.job;

/**
 * Names of the Redis keys both services share. Every name lives under a namespace so that several
 * installations (or test runs) can share one Redis.
 */
public final class QueueNames {
  /** Consumer group of the media workers on the job stream. */
  public static final String WORKER_GROUP = "media-workers";

  private QueueNames() {}

  /** Stream that carries transcode jobs to the workers. */
  public static String jobStream(String namespace) {
    return namespace + ":jobs:transcode";
  }

  /** Stream that receives entries no worker could process. */
  public static String deadLetterStream(String namespace) {
    return namespace + ":jobs:dead";
  }
}
