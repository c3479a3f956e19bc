package dev.capstan.api.job.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.job.persistence.JobEntity;
import dev.capstan.api.job.queue.JobPublisher;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The transactional outbox. {@link #enqueueTranscode} writes the job row inside the caller's
 * transaction; only after that commits is the job published to Redis. {@link JobReconciler}
 * publishes what this did not (Redis down, the process died after commit, Redis lost the entry).
 */
@ApplicationScoped
public class JobDispatcher {
  @Inject JobPublisher publisher;
  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject Event<JobQueued> queued;

  /** Must run inside a transaction: the job exists exactly when that transaction commits. */
  public JobEntity enqueueTranscode(String videoId, String sourceKey) {
    return enqueue(videoId, 1, config.jobs().maxAttempts());
  }

  /**
   * A new job row for the video as attempt {@code attempt} with a budget up to {@code maxAttempts},
   * published after the caller's transaction commits.
   */
  JobEntity enqueue(String videoId, int attempt, int maxAttempts) {
    Instant now = now();
    JobEntity job = new JobEntity();
    job.videoId = videoId;
    job.kind = JobKinds.TRANSCODE.kind();
    job.state = JobState.QUEUED;
    job.attempt = attempt;
    job.maxAttempts = maxAttempts;
    job.lane = laneOf(videoId).wireName();
    job.createdAt = now;
    job.updatedAt = now;
    job.payload = "{}";
    job.persist();
    // The payload names the job, so it is written once the id exists; it carries the trace of the
    // request that caused it (the upload), so the worker's spans join that trace.
    TranscodeJob payload =
        new TranscodeJob(job.id, videoId, attempt, S3Keys.source(videoId), Traceparents.current());
    job.payload = payloadJson(payload);
    queued.fire(new JobQueued(payload, JobLane.fromWire(job.lane)));
    return job;
  }

  /**
   * Short or long lane by the size of the source, as the caller's transaction has just recorded it
   * (read back with SQL so this works whichever way the caller wrote it).
   */
  private JobLane laneOf(String videoId) {
    Object size =
        JobEntity.getEntityManager()
            .createNativeQuery("select source_size_bytes from videos where id = ?1")
            .setParameter(1, videoId)
            .getResultStream()
            .findFirst()
            .orElse(null);
    Long bytes = size instanceof Number n ? n.longValue() : null;
    return JobLane.forSourceSize(bytes, config.jobs().longLaneFromBytes());
  }

  /**
   * Publishes the job just committed, from the event: the transaction that wrote the row has just
   * committed it as queued, so nothing is read back. Should the job have moved on meanwhile (the
   * sweep published it first and a worker took it), the extra entry is skipped by the workers'
   * conditional claim and the published mark below matches no row.
   */
  void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) JobQueued event) {
    publish(event.payload(), event.lane());
  }

  /**
   * Publishes a queued job, as its row records it now, on its lane and records the entry; for the
   * sweep. A failure is left to the next sweep.
   */
  public void publish(String jobId) {
    try {
      JobEntity job =
          QuarkusTransaction.requiringNew().call(() -> JobEntity.<JobEntity>findById(jobId));
      if (job == null || job.state != JobState.QUEUED) {
        return;
      }
      publish(payloadOf(job), JobLane.fromWire(job.lane));
    } catch (RuntimeException e) {
      Log.warnf("job %s not published yet (%s); the sweep will retry", jobId, e.getMessage());
    }
  }

  private void publish(TranscodeJob payload, JobLane lane) {
    try {
      String entryId = publisher.publish(JobKinds.TRANSCODE, payload.jobId(), payload, lane);
      QuarkusTransaction.requiringNew()
          .run(
              () ->
                  JobEntity.update(
                      "publishedAt = ?1, streamEntryId = ?2 where id = ?3 and attempt = ?4"
                          + " and state = ?5",
                      now(),
                      entryId,
                      payload.jobId(),
                      payload.attempt(),
                      JobState.QUEUED));
    } catch (RuntimeException e) {
      Log.warnf(
          "job %s not published yet (%s); the sweep will retry", payload.jobId(), e.getMessage());
    }
  }

  /**
   * The payload as the row records it (with its trace context), for the row's current attempt. Rows
   * whose payload does not parse get a fresh one, outside any trace.
   */
  static TranscodeJob payloadOf(JobEntity job) {
    try {
      Map<String, String> fields =
          Map.of(
              JobMessage.FIELD_KIND,
              JobKinds.TRANSCODE.kind(),
              JobMessage.FIELD_PAYLOAD,
              job.payload == null ? "" : job.payload);
      TranscodeJob recorded = JobMessage.decode(JobKinds.TRANSCODE, fields);
      if (job.id.equals(recorded.jobId())) {
        return recorded.withAttempt(job.attempt);
      }
    } catch (JobMessage.MalformedJobMessage e) {
      // fall through to a fresh payload
    }
    return new TranscodeJob(job.id, job.videoId, job.attempt, S3Keys.source(job.videoId));
  }

  static String payloadJson(TranscodeJob payload) {
    return JobMessage.encode(JobKinds.TRANSCODE, payload.jobId(), payload)
        .get(JobMessage.FIELD_PAYLOAD);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
