package dev.capstan.worker.job;

import dev.capstan.model.event.VideoEventType;
import dev.capstan.model.event.WebhookEvents;
import dev.capstan.model.job.JobState;
import dev.capstan.model.video.VideoStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The worker's writes to {@code jobs}, {@code videos} and {@code renditions}, in plain JDBC. Every
 * write that ends a job checks the lease in the same transaction, so a worker that lost its lease
 * changes nothing. Times are UTC {@code DATETIME(6)}.
 */
@ApplicationScoped
public class JobStore {
  /** {@code videos.progress_stage} of a video whose failed attempt waits for its retry. */
  public static final String RETRYING_STAGE = "retrying";

  private final DataSource dataSource;
  private final Clock clock;

  public JobStore(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** Result of trying to take a job. */
  public sealed interface Claim {
    /** The lease is ours and the video is {@code processing}. */
    record Taken(Lease lease) implements Claim {}

    /** Done, running elsewhere under a live lease, or of another attempt: not ours to run. */
    record NotAvailable() implements Claim {}

    /** The job was ours to take but its video cannot be processed; the job is now dead. */
    record Refused(String why) implements Claim {}
  }

  /** What a finished transcode records. */
  public record Success(
      String outputPrefix,
      double durationSeconds,
      Integer width,
      Integer height,
      Double fps,
      boolean hasAudio,
      List<RenditionRow> renditions) {}

  /** One row of {@code renditions}. */
  public record RenditionRow(
      String kind,
      String name,
      Integer width,
      Integer height,
      Integer bitrateKbps,
      String codecs,
      String s3Key,
      long sizeBytes) {}

  /**
   * Takes the job if it is queued as this attempt: one conditional UPDATE, so of two workers racing
   * for it exactly one wins. A job whose lease expired is not taken over here: the API's reconciler
   * re-queues it as the next attempt (under the retry policy), so every attempt writes under a
   * prefix of its own that exactly one lease holder ever owned.
   */
  public Claim claim(String jobId, String videoId, int attempt, String owner, Duration leaseFor)
      throws SQLException {
    Instant now = clock.instant();
    Instant expires = now.plus(leaseFor);
    try (Connection c = transaction()) {
      try {
        int taken =
            update(
                c,
                """
                UPDATE jobs SET state = ?, lease_owner = ?, lease_expires_at = ?, updated_at = ?
                WHERE id = ? AND video_id = ? AND attempt = ? AND state = ?""",
                JobState.RUNNING.name(),
                owner,
                utc(expires),
                utc(now),
                jobId,
                videoId,
                attempt,
                JobState.QUEUED.name());
        if (taken == 0) {
          c.rollback();
          return new Claim.NotAvailable();
        }
        Optional<VideoStatus> status = videoStatusForUpdate(c, videoId);
        if (status.isEmpty()) {
          c.rollback();
          return new Claim.NotAvailable();
        }
        VideoStatus current = status.get();
        // PROCESSING -> PROCESSING: a handed-back job whose video was not reset yet.
        if (current != VideoStatus.PROCESSING && !current.canBecome(VideoStatus.PROCESSING)) {
          String why = "video is " + current.wireName() + ", not waiting to be processed";
          endJob(c, jobId, owner, JobState.DEAD, why, now);
          c.commit();
          return new Claim.Refused(why);
        }
        update(
            c,
            """
            UPDATE videos SET status = ?, progress_percent = 0, progress_stage = ?,
              progress_eta_seconds = NULL, error_code = NULL, error_message = NULL, updated_at = ?
            WHERE id = ?""",
            VideoStatus.PROCESSING.wireName(),
            ProgressStage.DOWNLOADING.wireName(),
            utc(now),
            videoId);
        c.commit();
        return new Claim.Taken(new Lease(jobId, videoId, attempt, owner, expires));
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Pushes the lease out by {@code leaseFor}; empty when the lease is no longer ours. */
  public Optional<Instant> renew(Lease lease, Duration leaseFor) throws SQLException {
    Instant now = clock.instant();
    Instant expires = now.plus(leaseFor);
    try (Connection c = dataSource.getConnection()) {
      int n =
          update(
              c,
              """
              UPDATE jobs SET lease_expires_at = ?, updated_at = ?
              WHERE id = ? AND lease_owner = ? AND state = ?""",
              utc(expires),
              utc(now),
              lease.jobId(),
              lease.owner(),
              JobState.RUNNING.name());
      return n == 1 ? Optional.of(expires) : Optional.empty();
    }
  }

  /**
   * Progress of a processing video; best effort, not tied to the lease.
   *
   * @param etaSeconds seconds left as estimated now, null when unknown
   */
  public void progress(String videoId, int percent, ProgressStage stage, Double etaSeconds)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      update(
          c,
          """
          UPDATE videos SET progress_percent = ?, progress_stage = ?, progress_eta_seconds = ?,
            updated_at = ?
          WHERE id = ? AND status = ?""",
          percent,
          stage.wireName(),
          etaSeconds,
          utc(clock.instant()),
          videoId,
          VideoStatus.PROCESSING.wireName());
    }
  }

  /**
   * In one transaction: the job succeeds (only if the lease is still ours), the renditions are
   * recorded and the video becomes ready at the attempt's prefix.
   *
   * @return false when the lease was lost; then nothing was written
   */
  public boolean recordSuccess(Lease lease, Success s) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = transaction()) {
      try {
        if (endJob(c, lease.jobId(), lease.owner(), JobState.SUCCEEDED, null, now) == 0) {
          c.rollback();
          return false;
        }
        for (RenditionRow r : s.renditions()) {
          update(
              c,
              """
              INSERT INTO renditions (video_id, attempt, kind, name, width, height, bitrate_kbps,
                codecs, s3_key, size_bytes, created_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
              lease.videoId(),
              lease.attempt(),
              r.kind(),
              r.name(),
              r.width(),
              r.height(),
              r.bitrateKbps(),
              r.codecs(),
              r.s3Key(),
              r.sizeBytes(),
              utc(now));
        }
        update(
            c,
            """
            UPDATE videos SET status = ?, output_prefix = ?, duration_seconds = ?, width = ?,
              height = ?, fps = ?, has_audio = ?, progress_percent = 100, progress_stage = ?,
              progress_eta_seconds = NULL, error_code = NULL, error_message = NULL, updated_at = ?
            WHERE id = ?""",
            VideoStatus.READY.wireName(),
            s.outputPrefix(),
            s.durationSeconds(),
            s.width(),
            s.height(),
            s.fps(),
            s.hasAudio(),
            ProgressStage.DONE.wireName(),
            utc(now),
            lease.videoId());
        for (RenditionRow r : s.renditions()) {
          if (announcesItself(r)) {
            captureWebhookEvent(c, lease.videoId(), VideoEventType.RENDITION_READY, r, now);
          }
        }
        captureWebhookEvent(c, lease.videoId(), VideoEventType.READY, null, now);
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * In one transaction: the job ends in {@code state} and the video shows the reason its owner will
   * read. DEAD (the media is bad): the video fails for good. FAILED (our side broke): the video
   * goes back to {@code queued} at stage {@code retrying}, the error still visible, and the API's
   * reconciler decides by the retry policy whether and when the next attempt runs.
   *
   * @return false when the lease was lost; then nothing was written
   */
  public boolean recordFailure(Lease lease, JobState state, JobFailure failure)
      throws SQLException {
    Instant now = clock.instant();
    boolean retryable = state == JobState.FAILED;
    try (Connection c = transaction()) {
      try {
        if (endJob(c, lease.jobId(), lease.owner(), state, failure.technicalDetail(), now) == 0) {
          c.rollback();
          return false;
        }
        VideoStatus to =
            VideoStatus.PROCESSING.transitionTo(
                retryable ? VideoStatus.QUEUED : VideoStatus.FAILED);
        update(
            c,
            """
            UPDATE videos SET status = ?, error_code = ?, error_message = ?, updated_at = ?,
              progress_eta_seconds = NULL, progress_percent = CASE WHEN ? THEN 0 ELSE progress_percent END,
              progress_stage = CASE WHEN ? THEN ? ELSE progress_stage END
            WHERE id = ?""",
            to.wireName(),
            failure.reason().code(),
            failure.readableMessage(),
            utc(now),
            retryable,
            retryable,
            RETRYING_STAGE,
            lease.videoId());
        if (!retryable) {
          captureWebhookEvent(c, lease.videoId(), VideoEventType.FAILED, null, now);
        }
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Gives the job back untouched (worker draining): job queued again without a lease, video queued.
   *
   * @return false when the lease was already lost
   */
  public boolean handBack(Lease lease) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = transaction()) {
      try {
        int n =
            update(
                c,
                """
                UPDATE jobs SET state = ?, lease_owner = NULL, lease_expires_at = NULL,
                  updated_at = ?
                WHERE id = ? AND lease_owner = ? AND state = ?""",
                JobState.QUEUED.name(),
                utc(now),
                lease.jobId(),
                lease.owner(),
                JobState.RUNNING.name());
        if (n == 0) {
          c.rollback();
          return false;
        }
        update(
            c,
            """
            UPDATE videos SET status = ?, progress_percent = 0, progress_stage = NULL,
              progress_eta_seconds = NULL, updated_at = ?
            WHERE id = ? AND status = ?""",
            VideoStatus.QUEUED.wireName(),
            utc(now),
            lease.videoId(),
            VideoStatus.PROCESSING.wireName());
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Records the stream entry that now carries a queued job (after a hand-back or a requeue). */
  public void recordPublished(String jobId, int attempt, String entryId) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      update(
          c,
          """
          UPDATE jobs SET stream_entry_id = ?, published_at = ?, updated_at = ?
          WHERE id = ? AND attempt = ? AND state = ?""",
          entryId,
          utc(now),
          utc(now),
          jobId,
          attempt,
          JobState.QUEUED.name());
    }
  }

  /**
   * Writes the webhook event announcing the video's new state into {@code webhook_outbox}, in the
   * caller's transaction (so it exists exactly when the change does), with the video's facts as
   * they are now. Nothing is written for a user without webhooks. The API delivers it, even if none
   * of its instances runs right now.
   */
  /** How events name a rendition: {@code kind/name}, e.g. {@code hls_rung/720p}. */
  public static String renditionId(RenditionRow r) {
    return r.kind() + "/" + r.name();
  }

  /** Renditions a player or a download can use, each announced by {@code video.rendition.ready}. */
  public static boolean announcesItself(RenditionRow r) {
    return switch (r.kind()) {
      case "hls_rung", "hls_audio", "mp4", "m4a" -> true;
      default -> false;
    };
  }

  private void captureWebhookEvent(
      Connection c, String videoId, VideoEventType type, RenditionRow rendition, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            """
            SELECT v.user_id, v.title, v.status, v.duration_seconds, v.width, v.height,
              v.error_code, v.error_message
            FROM videos v
            WHERE v.id = ? AND EXISTS (SELECT 1 FROM webhooks w WHERE w.user_id = v.user_id)""")) {
      ps.setString(1, videoId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        String key =
            rendition == null
                ? WebhookEvents.key(type.wireName(), videoId, now)
                : WebhookEvents.renditionKey(videoId, renditionId(rendition), now);
        Map<String, Object> facts =
            WebhookEvents.videoFacts(
                videoId,
                rs.getString("title"),
                rs.getString("status"),
                rs.getObject("duration_seconds", Double.class),
                rs.getObject("width", Integer.class),
                rs.getObject("height", Integer.class),
                rs.getString("error_code"),
                rs.getString("error_message"));
        update(
            c,
            """
            INSERT INTO webhook_outbox (user_id, video_id, event_key, event_type, payload,
              created_at)
            VALUES (?, ?, ?, ?, ?, ?)""",
            rs.getString("user_id"),
            videoId,
            key,
            type.wireName(),
            WebhookEvents.payload(
                key,
                type.wireName(),
                now,
                facts,
                rendition == null
                    ? null
                    : WebhookEvents.renditionFacts(
                        rendition.kind(),
                        rendition.name(),
                        rendition.width(),
                        rendition.height(),
                        rendition.bitrateKbps(),
                        rendition.codecs())),
            utc(now));
      }
    }
  }

  static int endJob(
      Connection c, String jobId, String owner, JobState state, String lastError, Instant now)
      throws SQLException {
    return update(
        c,
        """
        UPDATE jobs SET state = ?, last_error = ?, finished_at = ?, lease_owner = NULL,
          lease_expires_at = NULL, updated_at = ?
        WHERE id = ? AND lease_owner = ? AND state = ?""",
        state.name(),
        lastError,
        utc(now),
        utc(now),
        jobId,
        owner,
        JobState.RUNNING.name());
  }

  private static Optional<VideoStatus> videoStatusForUpdate(Connection c, String videoId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT status FROM videos WHERE id = ? FOR UPDATE")) {
      ps.setString(1, videoId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(VideoStatus.fromWire(rs.getString(1))) : Optional.empty();
      }
    }
  }

  private Connection transaction() throws SQLException {
    return transaction(dataSource);
  }

  static Connection transaction(DataSource dataSource) throws SQLException {
    Connection c = dataSource.getConnection();
    c.setAutoCommit(false);
    return c;
  }

  static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        if (p == null) {
          ps.setNull(i + 1, Types.NULL);
        } else {
          ps.setObject(i + 1, p);
        }
      }
      return ps.executeUpdate();
    }
  }

  static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
