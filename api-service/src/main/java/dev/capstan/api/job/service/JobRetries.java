package dev.capstan.api.job.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.error.Conflict;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.event.VideoEventHub;
import dev.capstan.api.job.persistence.JobEntity;
import dev.capstan.api.job.queue.JobPublisher;
import dev.capstan.api.storage.StorageDeletions;
import dev.capstan.api.video.persistence.VideoEntity;
import dev.capstan.api.webhook.service.WebhookService;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.job.ChunkRange;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.RetryPolicy;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.model.video.FailureReason;
import dev.capstan.model.video.VideoStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place the {@link RetryPolicy} is applied. A failed attempt (the worker reported a
 * transient failure) or an expired lease (the worker died or lost the database) becomes the next
 * attempt, queued not before its backoff, or, with the budget spent, a dead job, a failed video and
 * a dead letter. Every transition is one conditional UPDATE on state and attempt, so two
 * reconcilers (say, while Redis forgot the lock) cannot both make it.
 */
@ApplicationScoped
public class JobRetries {
  /** {@code videos.progress_stage} while a failed attempt waits for its retry. */
  public static final String RETRYING_STAGE = "retrying";

  static final String INTERRUPTED =
      "Processing was interrupted before it finished (the worker stopped).";

  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject StorageDeletions deletions;
  @Inject JobPublisher publisher;
  @Inject VideoEventHub events;
  @Inject JobDispatcher dispatcher;
  @Inject MeterRegistry metrics;
  @Inject WebhookService webhooks;

  /** The policy of this installation; each job row carries its own attempt budget. */
  public RetryPolicy policy() {
    return RetryPolicy.maxAttempts(config.jobs().maxAttempts())
        .backoff(config.jobs().retryBackoff(), config.jobs().retryMaxBackoff());
  }

  /** What became of a failed attempt. */
  private sealed interface Outcome {
    /** {@code chunk}: a chunk of a flow was retried; its video stays processing. */
    record Retried(String videoId, int attempt, boolean chunk) implements Outcome {}

    record Dead(String videoId, Map<String, String> deadLetter, String code, String message)
        implements Outcome {}

    record Untouched() implements Outcome {}
  }

  /** The worker reported attempt failure for a reason worth retrying (job {@code FAILED}). */
  public void afterFailedAttempt(String jobId) {
    settle(jobId, JobState.FAILED, "failed");
  }

  /** The lease of a running job ran out: its worker died, hung or lost the database. */
  public void afterExpiredLease(String jobId) {
    settle(jobId, JobState.RUNNING, "lease_expired");
  }

  private void settle(String jobId, JobState from, String cause) {
    Outcome outcome = QuarkusTransaction.requiringNew().call(() -> decide(jobId, from));
    Instant now = clock.instant();
    switch (outcome) {
      case Outcome.Retried r -> {
        metrics.counter("capstan.jobs.retried", "cause", cause).increment();
        if (!r.chunk()) {
          events.publish(VideoEvent.status(r.videoId(), VideoStatus.QUEUED.wireName(), now));
        }
        Log.infof("job %s (%s): attempt %d queued after backoff", jobId, cause, r.attempt());
      }
      case Outcome.Dead d -> {
        metrics.counter("capstan.jobs.dead", "cause", cause).increment();
        try {
          publisher.deadLetter(d.deadLetter());
        } catch (RuntimeException e) {
          // The row says DEAD whatever Redis did; the dead-letter stream is a convenience.
          Log.warnf("job %s is dead but not dead-lettered: %s", jobId, e.getMessage());
        }
        events.publish(VideoEvent.status(d.videoId(), VideoStatus.FAILED.wireName(), now));
        events.publish(VideoEvent.failed(d.videoId(), d.code(), d.message(), now));
        Log.infof("job %s (%s): out of attempts, dead", jobId, cause);
      }
      case Outcome.Untouched u -> {
        // Someone else settled it, or the lease was renewed after all.
      }
    }
  }

  private Outcome decide(String jobId, JobState from) {
    JobEntity job = JobEntity.findById(jobId);
    Instant now = now();
    if (job == null || job.state != from) {
      return new Outcome.Untouched();
    }
    boolean expired = from == JobState.RUNNING;
    if (expired && (job.leaseExpiresAt == null || !job.leaseExpiresAt.isBefore(now))) {
      return new Outcome.Untouched();
    }
    String lastError =
        expired
            ? "lease of " + job.leaseOwner + " expired at " + job.leaseExpiresAt
            : job.lastError;
    int attempt = job.attempt;
    String videoId = job.videoId;
    TranscodeJob payloadOfNext = JobDispatcher.payloadOf(job);
    // A chunk of a flow (issue 9) is retried alone: its own files go, the video and the other
    // chunks are left as they are; out of attempts, it takes its flow down with it.
    ChunkRange chunk = payloadOfNext.chunk();
    RetryPolicy.Decision decision =
        policy()
            .withMaxAttempts(Math.max(1, job.maxAttempts))
            .afterFailure(attempt, now, ThreadLocalRandom.current()::nextDouble);
    switch (decision) {
      case RetryPolicy.Decision.Retry retry -> {
        // The next attempt stays in the trace of the upload that caused the job.
        String payload = JobDispatcher.payloadJson(payloadOfNext.withAttempt(retry.attempt()));
        int n =
            JobEntity.update(
                "state = ?1, attempt = ?2, runAfter = ?3, leaseOwner = null,"
                    + " leaseExpiresAt = null, publishedAt = null, streamEntryId = null,"
                    + " lastError = ?4, finishedAt = null, updatedAt = ?5, payload = ?6"
                    + " where id = ?7 and state = ?8 and attempt = ?9",
                from.transitionTo(JobState.QUEUED),
                retry.attempt(),
                retry.notBefore().truncatedTo(ChronoUnit.MICROS),
                lastError,
                now,
                payload,
                jobId,
                from,
                attempt);
        if (n == 0) {
          return new Outcome.Untouched();
        }
        if (chunk != null) {
          deletions.schedule(
              S3Keys.chunkFilePrefix(
                  S3Keys.attemptPrefix(videoId, chunk.parentAttempt()), chunk.index(), attempt));
          return new Outcome.Retried(videoId, retry.attempt(), true);
        }
        dropAttemptFiles(videoId, attempt);
        String retrying =
            "status = ?1, progressStage = ?2, progressPercent = 0, updatedAt = ?3"
                + (expired ? ", errorCode = ?6, errorMessage = ?7" : "")
                + " where id = ?4 and (status = ?5 or status = ?1 or status = ?"
                + (expired ? "8" : "6")
                + ")";
        Object[] params =
            expired
                ? new Object[] {
                  VideoStatus.QUEUED.wireName(),
                  RETRYING_STAGE,
                  now,
                  videoId,
                  VideoStatus.PROCESSING.wireName(),
                  FailureReason.INTERNAL.code(),
                  INTERRUPTED,
                  VideoStatus.PLAYABLE.wireName()
                }
                : new Object[] {
                  VideoStatus.QUEUED.wireName(),
                  RETRYING_STAGE,
                  now,
                  videoId,
                  VideoStatus.PROCESSING.wireName(),
                  VideoStatus.PLAYABLE.wireName()
                };
        // The worker already put the video back to queued with its error; a lost lease did not.
        VideoEntity.update(retrying, params);
        forgetPublishedAttempt(videoId, attempt);
        return new Outcome.Retried(videoId, retry.attempt(), false);
      }
      case RetryPolicy.Decision.GiveUp g -> {
        int n =
            JobEntity.update(
                "state = ?1, leaseOwner = null, leaseExpiresAt = null, lastError = ?2,"
                    + " finishedAt = ?3, updatedAt = ?3 where id = ?4 and state = ?5"
                    + " and attempt = ?6",
                from.transitionTo(JobState.DEAD),
                lastError,
                now,
                jobId,
                from,
                attempt);
        if (n == 0) {
          return new Outcome.Untouched();
        }
        if (chunk != null) {
          endFlow(chunk, lastError, now);
          dropAttemptFiles(videoId, chunk.parentAttempt());
          // A flow publishes its first chunks as they finish: the video may point at them.
          forgetPublishedAttempt(videoId, chunk.parentAttempt());
        } else {
          dropAttemptFiles(videoId, attempt);
          forgetPublishedAttempt(videoId, attempt);
        }
        VideoEntity video = VideoEntity.findById(videoId);
        String code = FailureReason.INTERNAL.code();
        String message = expired ? INTERRUPTED : FailureReason.INTERNAL.defaultMessage();
        if (video != null) {
          if (!expired && video.errorCode != null) {
            code = video.errorCode;
            message = video.errorMessage;
          }
          if (!VideoStatus.READY.wireName().equals(video.status)) {
            video.status = VideoStatus.FAILED.wireName();
            video.errorCode = code;
            video.errorMessage = message;
            video.progressStage = VideoStatus.FAILED.wireName();
            video.updatedAt = now;
            webhooks.capture(
                VideoEvent.failed(videoId, code, message, now),
                video.userId,
                WebhookService.videoFacts(video));
          }
        }
        Map<String, String> fields =
            new LinkedHashMap<>(
                JobMessage.encode(JobKinds.TRANSCODE, jobId, JobDispatcher.payloadOf(job)));
        fields.put(
            QueueNames.DEAD_LETTER_REASON,
            "out of attempts (" + g.attempts() + "): " + String.valueOf(lastError));
        fields.put(
            QueueNames.DEAD_LETTER_ORIGINAL_ID, job.streamEntryId == null ? "" : job.streamEntryId);
        fields.put("lane", job.lane);
        return new Outcome.Dead(videoId, fields, code, message);
      }
    }
  }

  /** A chunk ran out of attempts: its parent and its unfinished siblings are dead too. */
  private static void endFlow(ChunkRange chunk, String lastError, Instant now) {
    String why =
        (chunk.audio() ? "the audio rendition" : "chunk " + chunk.index())
            + " out of attempts: "
            + lastError;
    JobEntity.getEntityManager()
        .createNativeQuery(
            "update jobs set state = 'DEAD', last_error = ?1, lease_owner = null,"
                + " lease_expires_at = null, finished_at = ?2, updated_at = ?2"
                + " where id = ?3 and attempt = ?4 and state in ('RUNNING', 'WAITING')")
        .setParameter(1, why.length() > 1000 ? why.substring(0, 1000) : why)
        .setParameter(2, now)
        .setParameter(3, chunk.parentJobId())
        .setParameter(4, chunk.parentAttempt())
        .executeUpdate();
    JobEntity.getEntityManager()
        .createNativeQuery(
            "update jobs set state = 'DEAD', last_error = ?1, finished_at = ?2, updated_at = ?2"
                + " where parent_id = ?3 and state in ('QUEUED', 'FAILED')")
        .setParameter(1, "its flow failed")
        .setParameter(2, now)
        .setParameter(3, chunk.parentJobId())
        .executeUpdate();
  }

  /**
   * The attempt that failed never becomes the video's output: its files go, now and once more later
   * (StorageDeletions' second pass) in case a zombie worker still writes.
   */
  private void dropAttemptFiles(String videoId, int attempt) {
    deletions.schedule(S3Keys.attemptPrefix(videoId, attempt));
  }

  /**
   * A video that turned playable points at the attempt's files while they are published; once the
   * attempt is given up those files go, so the video must not point at them any more.
   */
  private static void forgetPublishedAttempt(String videoId, int attempt) {
    VideoEntity.update(
        "outputPrefix = null where id = ?1 and outputPrefix = ?2",
        videoId,
        S3Keys.attemptPrefix(videoId, attempt));
  }

  /**
   * {@code POST /videos/{id}/retry}: a failed video of the caller's is queued again as a new job
   * whose attempt number follows every earlier one (so its files get a prefix of their own) with a
   * fresh attempt budget.
   *
   * @throws NotFound when the video is not the caller's
   * @throws Conflict when the video has not failed
   */
  public void retryFailedVideo(String userId, String videoId) {
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              VideoEntity v =
                  VideoEntity.findOwned(videoId, userId).orElseThrow(() -> new NotFound("video"));
              if (!VideoStatus.FAILED.wireName().equals(v.status) || v.sourceKey == null) {
                throw new Conflict(
                    "not_failed", "only a failed video can be retried; this one is " + v.status);
              }
              int updated =
                  VideoEntity.update(
                      "status = ?1, progressStage = ?1, progressPercent = 0, errorCode = null,"
                          + " errorMessage = null, updatedAt = ?2 where id = ?3 and status = ?4",
                      VideoStatus.FAILED.transitionTo(VideoStatus.QUEUED).wireName(),
                      now(),
                      videoId,
                      VideoStatus.FAILED.wireName());
              if (updated == 0) {
                throw new Conflict("not_failed", "the video changed meanwhile; look again");
              }
              Number last =
                  (Number)
                      JobEntity.getEntityManager()
                          .createNativeQuery(
                              "select coalesce(max(attempt), 0) from jobs where video_id = ?1")
                          .setParameter(1, videoId)
                          .getSingleResult();
              int next = last.intValue() + 1;
              dispatcher.enqueue(videoId, next, next + config.jobs().maxAttempts() - 1);
            });
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
