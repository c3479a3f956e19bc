package dev.capstan.api.job.queue;

import dev.capstan.model.job.JobDescriptor;

/** Port: hands a committed job to the workers' dispatch channel. */
public interface JobPublisher {
  <T> void publish(JobDescriptor<T> kind, String jobId, T payload);

  /** Cheap reachability check, for readiness. */
  void ping();
}
