package dev.capstan.model.job;

/**
 * Names of the Redis keys both services share. Every name lives under a namespace so that several
 * installations (or test runs) can share one Redis.
 */
public final class QueueNames {
  /** Consumer group of the media workers on every job stream. */
  public static final String WORKER_GROUP = "media-workers";

  /** Field added to dead-lettered entries: why. */
  public static final String DEAD_LETTER_REASON = "reason";

  /** Field added to dead-lettered entries: the id the entry had on its job stream. */
  public static final String DEAD_LETTER_ORIGINAL_ID = "originalId";

  private QueueNames() {}

  /** Stream of the short lane, the one most jobs travel on. */
  public static String jobStream(String namespace) {
    return jobStream(namespace, JobLane.SHORT);
  }

  /** Stream that carries transcode jobs of one lane to the workers. */
  public static String jobStream(String namespace, JobLane lane) {
    return switch (lane) {
      case SHORT -> namespace + ":jobs:transcode";
      case LONG -> namespace + ":jobs:transcode:long";
    };
  }

  /** Stream that receives entries no worker could process and jobs that ran out of attempts. */
  public static String deadLetterStream(String namespace) {
    return namespace + ":jobs:dead";
  }

  /** Heartbeat of one worker (a {@link WorkerHeartbeat} as JSON), with a TTL. */
  public static String workerKey(String namespace, String workerId) {
    return workerKeyPrefix(namespace) + workerId;
  }

  /** Common prefix of every worker heartbeat key, for SCAN. */
  public static String workerKeyPrefix(String namespace) {
    return namespace + ":workers:";
  }

  /** Lock held by the one API instance whose reconciler is active. */
  public static String reconcilerLock(String namespace) {
    return namespace + ":locks:job-reconciler";
  }
}
