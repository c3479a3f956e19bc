package dev.capstan.api.job.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.job.persistence.JobEntity;
import dev.capstan.api.job.queue.JobPublisher;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The transactional outbox. {@link #enqueueTranscode} writes the job row inside the caller's
 * transaction; only after that commits is the job published to Redis. A sweep publishes jobs whose
 * publication never happened, so a Redis outage delays jobs but loses none.
 */
@ApplicationScoped
public class JobDispatcher {
  @Inject JobPublisher publisher;
  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject Event<JobQueued> queued;

  /** Must run inside a transaction: the job exists exactly when that transaction commits. */
  public JobEntity enqueueTranscode(String videoId, String sourceKey) {
    Instant now = now();
    JobEntity job = new JobEntity();
    job.videoId = videoId;
    job.kind = JobKinds.TRANSCODE.kind();
    job.state = JobState.QUEUED;
    job.attempt = 1;
    job.maxAttempts = config.jobs().maxAttempts();
    job.createdAt = now;
    job.updatedAt = now;
    job.payload = "{}";
    job.persist();
    // The payload names the job, so it is written once the id exists.
    job.payload =
        JobMessage.encode(JobKinds.TRANSCODE, job.id, payloadOf(job)).get(JobMessage.FIELD_PAYLOAD);
    queued.fire(new JobQueued(job.id));
    return job;
  }

  void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) JobQueued event) {
    publish(event.jobId());
  }

  /** Publishes jobs that committed but never reached Redis. */
  @Scheduled(
      every = "${capstan.jobs.republish-every}",
      delayed = "5s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void publishMissed() {
    Instant before = now().minus(config.jobs().republishAfter());
    List<String> ids =
        QuarkusTransaction.requiringNew()
            .call(() -> JobEntity.unpublished(before, 100).stream().map(j -> j.id).toList());
    ids.forEach(this::publish);
  }

  private void publish(String jobId) {
    try {
      JobEntity job =
          QuarkusTransaction.requiringNew().call(() -> JobEntity.<JobEntity>findById(jobId));
      if (job == null || job.state != JobState.QUEUED) {
        return;
      }
      publisher.publish(JobKinds.TRANSCODE, job.id, payloadOf(job));
      QuarkusTransaction.requiringNew()
          .run(
              () ->
                  JobEntity.update(
                      "publishedAt = ?1 where id = ?2 and publishedAt is null", now(), jobId));
    } catch (RuntimeException e) {
      Log.warnf("job %s not published yet (%s); the sweep will retry", jobId, e.getMessage());
    }
  }

  private static TranscodeJob payloadOf(JobEntity job) {
    return new TranscodeJob(job.id, job.videoId, job.attempt, S3Keys.source(job.videoId));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
