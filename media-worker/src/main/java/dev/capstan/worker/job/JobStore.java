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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The worker's writes to {@code jobs}, {@code videos} and {@code renditions}, in plain JDBC. Every
 * write that ends a job checks the lease in the same transaction, so a worker that lost its lease
 * changes nothing. Times are UTC {@code DATETIME(6)}.
 *
 * <p>Batches lock rows in primary-key order and name that index ({@code FORCE INDEX (PRIMARY)}):
 * with a long {@code IN} list the optimizer may otherwise scan by {@code state} or the whole table,
 * and under repeatable read every row a locking statement scans stays locked, so unrelated jobs
 * would wait for each other and deadlock.
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

  /** A job as its stream entry names it: what a claim asks for. */
  public record JobRef(String jobId, String videoId, int attempt) {}

  /**
   * A job whose work is done under {@code lease}, and what it produced.
   *
   * @param announced renditions ({@code kind/name}) whose {@code video.rendition.ready} went out
   *     while it was published progressively
   * @param published rows were recorded while the video was playable (they are replaced)
   */
  public record Completion(Lease lease, Success success, Set<String> announced, boolean published) {
    public Completion(Lease lease, Success success) {
      this(lease, success, Set.of(), false);
    }
  }

  /** The stream entry that now carries a queued job. */
  public record Publication(String jobId, int attempt, String entryId) {}

  /**
   * Takes the job if it is queued as this attempt. As {@link #claimAll} for a batch of one: of two
   * workers racing for it exactly one wins. A job whose lease expired is not taken over here: the
   * API's reconciler re-queues it as the next attempt (under the retry policy), so every attempt
   * writes under a prefix of its own that exactly one lease holder ever owned.
   */
  public Claim claim(String jobId, String videoId, int attempt, String owner, Duration leaseFor)
      throws SQLException {
    return claimAll(List.of(new JobRef(jobId, videoId, attempt)), owner, leaseFor).get(0);
  }

  /**
   * Takes every job of the batch that is still queued as the asked attempt, in one transaction: the
   * rows are locked in key order (so two batches never deadlock; a row another worker's claim holds
   * is waited for and then seen as that claim left it), and the leases are set by one UPDATE
   * conditional on the rows still being queued. Jobs held by another worker, done, or of another
   * attempt come back {@link Claim.NotAvailable}; so does a second ask for the same job in the
   * batch.
   *
   * @return one claim per asked job, in the order asked
   */
  public List<Claim> claimAll(List<JobRef> jobs, String owner, Duration leaseFor)
      throws SQLException {
    if (jobs.isEmpty()) {
      return List.of();
    }
    Instant now = clock.instant();
    Instant expires = now.plus(leaseFor);
    Map<JobRef, Claim> decided = new HashMap<>();
    try (Connection c = transaction()) {
      try {
        Map<String, JobRef> queued = new HashMap<>();
        List<Object> ids = jobs.stream().map(j -> (Object) j.jobId()).distinct().toList();
        try (PreparedStatement ps =
                prepare(
                    c,
                    "SELECT id, video_id, attempt FROM jobs FORCE INDEX (PRIMARY) WHERE id IN "
                        + marks(ids.size())
                        + " AND state = ? ORDER BY id FOR UPDATE",
                    concat(ids, JobState.QUEUED.name()));
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            queued.put(rs.getString(1), new JobRef(rs.getString(1), rs.getString(2), rs.getInt(3)));
          }
        }
        List<JobRef> askedAndQueued =
            jobs.stream().distinct().filter(j -> j.equals(queued.get(j.jobId()))).toList();
        Map<String, VideoStatus> videos =
            videoStatusesForUpdate(c, askedAndQueued.stream().map(JobRef::videoId).toList());
        List<JobRef> taken = new ArrayList<>();
        for (JobRef job : askedAndQueued) {
          VideoStatus current = videos.get(job.videoId());
          if (current == null) {
            // No video (deleted meanwhile): left queued, as a failed claim always left it.
            continue;
          }
          // PROCESSING -> PROCESSING: a handed-back job whose video was not reset yet.
          if (current != VideoStatus.PROCESSING && !current.canBecome(VideoStatus.PROCESSING)) {
            String why = "video is " + current.wireName() + ", not waiting to be processed";
            update(
                c,
                """
                UPDATE jobs SET state = ?, last_error = ?, finished_at = ?, lease_owner = NULL,
                  lease_expires_at = NULL, updated_at = ?
                WHERE id = ? AND state = ?""",
                JobState.DEAD.name(),
                why,
                utc(now),
                utc(now),
                job.jobId(),
                JobState.QUEUED.name());
            decided.put(job, new Claim.Refused(why));
            continue;
          }
          taken.add(job);
        }
        if (!taken.isEmpty()) {
          List<Object> takenIds = taken.stream().map(j -> (Object) j.jobId()).toList();
          int leased =
              update(
                  c,
                  "UPDATE jobs FORCE INDEX (PRIMARY) SET state = ?, lease_owner = ?,"
                      + " lease_expires_at = ?, updated_at = ? WHERE id IN "
                      + marks(takenIds.size())
                      + " AND state = ?",
                  concat(
                      List.of(JobState.RUNNING.name(), owner, utc(expires), utc(now)),
                      takenIds,
                      JobState.QUEUED.name()));
          if (leased != taken.size()) {
            throw new IllegalStateException(
                "leased " + leased + " of " + taken.size() + " locked queued jobs");
          }
          List<Object> videoIds = taken.stream().map(j -> (Object) j.videoId()).distinct().toList();
          update(
              c,
              """
              UPDATE videos FORCE INDEX (PRIMARY) SET status = ?, progress_percent = 0,
                progress_stage = ?, progress_eta_seconds = NULL, error_code = NULL,
                error_message = NULL, updated_at = ?
              WHERE id IN """
                  + marks(videoIds.size()),
              concat(
                  List.of(
                      VideoStatus.PROCESSING.wireName(),
                      ProgressStage.DOWNLOADING.wireName(),
                      utc(now)),
                  videoIds));
          for (JobRef job : taken) {
            decided.put(
                job,
                new Claim.Taken(
                    new Lease(job.jobId(), job.videoId(), job.attempt(), owner, expires)));
          }
        }
        if (decided.isEmpty()) {
          c.rollback();
        } else {
          c.commit();
        }
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    List<Claim> out = new ArrayList<>(jobs.size());
    Set<JobRef> answered = new HashSet<>();
    for (JobRef job : jobs) {
      Claim claim = decided.get(job);
      out.add(claim != null && answered.add(job) ? claim : new Claim.NotAvailable());
    }
    return out;
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
          WHERE id = ? AND status IN (?, ?)""",
          percent,
          stage.wireName(),
          etaSeconds,
          utc(clock.instant()),
          videoId,
          VideoStatus.PROCESSING.wireName(),
          VideoStatus.PLAYABLE.wireName());
    }
  }

  /**
   * In one transaction: the job succeeds (only if the lease is still ours), the renditions are
   * recorded and the video becomes ready at the attempt's prefix.
   *
   * @return false when the lease was lost; then nothing was written
   */
  public boolean recordSuccess(Lease lease, Success s) throws SQLException {
    return recordSuccess(lease, s, Set.of());
  }

  /**
   * As {@link #recordSuccess(Lease, Success)} after progressive publishing: the rows published so
   * far are replaced by the final ones, and no webhook event is written again for the renditions in
   * {@code announced} (their {@code video.rendition.ready} went out when they finished).
   */
  public boolean recordSuccess(Lease lease, Success s, Set<String> announced) throws SQLException {
    return recordSuccesses(List.of(new Completion(lease, s, announced, true))).get(0);
  }

  /**
   * {@link #recordSuccess} for a batch, in one transaction: the rows are locked in key order, and
   * only the jobs whose lease is still held by the completion's owner succeed (with their
   * renditions, ready videos and webhook events); the others are left exactly as they are.
   *
   * @return per completion, in order: whether it was recorded (false: its lease was lost)
   */
  public List<Boolean> recordSuccesses(List<Completion> completions) throws SQLException {
    if (completions.isEmpty()) {
      return List.of();
    }
    Instant now = clock.instant();
    Set<String> recorded = new HashSet<>();
    try (Connection c = transaction()) {
      try {
        Map<String, String> owners = new HashMap<>();
        List<Object> ids =
            completions.stream().map(d -> (Object) d.lease().jobId()).distinct().toList();
        try (PreparedStatement ps =
                prepare(
                    c,
                    "SELECT id, lease_owner FROM jobs FORCE INDEX (PRIMARY) WHERE id IN "
                        + marks(ids.size())
                        + " AND state = ? ORDER BY id FOR UPDATE",
                    concat(ids, JobState.RUNNING.name()));
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            owners.put(rs.getString(1), rs.getString(2));
          }
        }
        List<Completion> held = new ArrayList<>();
        for (Completion d : completions) {
          Lease lease = d.lease();
          if (lease.owner().equals(owners.get(lease.jobId())) && recorded.add(lease.jobId())) {
            held.add(d);
          }
        }
        if (held.isEmpty()) {
          c.rollback();
          return completions.stream().map(d -> false).toList();
        }
        List<Object> heldIds = held.stream().map(d -> (Object) d.lease().jobId()).toList();
        int ended =
            update(
                c,
                """
                UPDATE jobs FORCE INDEX (PRIMARY) SET state = ?, last_error = NULL, finished_at = ?,
                  lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE id IN """
                    + marks(heldIds.size())
                    + " AND state = ?",
                concat(
                    List.of(JobState.SUCCEEDED.name(), utc(now), utc(now)),
                    heldIds,
                    JobState.RUNNING.name()));
        if (ended != held.size()) {
          throw new IllegalStateException("ended " + ended + " of " + held.size() + " held jobs");
        }
        for (Completion d : held) {
          if (d.published()) {
            // The HLS rows recorded while the video was playable give way to the final ones.
            update(
                c,
                """
                DELETE FROM renditions
                WHERE video_id = ? AND attempt = ? AND kind IN ('hls', 'hls_rung', 'hls_audio')""",
                d.lease().videoId(),
                d.lease().attempt());
          }
        }
        insertRenditions(c, held, now);
        // Video rows in key order, as every batch locks them.
        markReady(
            c, held.stream().sorted(Comparator.comparing(d -> d.lease().videoId())).toList(), now);
        List<WebhookEvent> events = new ArrayList<>();
        for (Completion d : held) {
          for (RenditionRow r : d.success().renditions()) {
            if (announcesItself(r) && !d.announced().contains(renditionId(r))) {
              events.add(new WebhookEvent(d.lease().videoId(), VideoEventType.RENDITION_READY, r));
            }
          }
          events.add(new WebhookEvent(d.lease().videoId(), VideoEventType.READY, null));
        }
        captureWebhookEvents(c, events, now);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    List<Boolean> out = new ArrayList<>(completions.size());
    for (Completion d : completions) {
      out.add(recorded.remove(d.lease().jobId()));
    }
    return out;
  }

  private static void insertRenditions(Connection c, List<Completion> held, Instant now)
      throws SQLException {
    if (held.stream().allMatch(d -> d.success().renditions().isEmpty())) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
            INSERT INTO renditions (video_id, attempt, kind, name, width, height, bitrate_kbps,
              codecs, s3_key, size_bytes, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
      for (Completion d : held) {
        for (RenditionRow r : d.success().renditions()) {
          bind(
              ps,
              d.lease().videoId(),
              d.lease().attempt(),
              r.kind(),
              r.name(),
              r.width(),
              r.height(),
              r.bitrateKbps(),
              r.codecs(),
              r.s3Key(),
              r.sizeBytes(),
              utc(now));
          ps.addBatch();
        }
      }
      ps.executeBatch();
    }
  }

  /**
   * The videos of the completions become ready, with one statement: what differs per video comes
   * from the batch's rows, joined on the key. {@code held} is in video key order, and the rows are
   * locked in that order.
   */
  private static void markReady(Connection c, List<Completion> held, Instant now)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    for (Completion d : held) {
      Success s = d.success();
      params.addAll(
          Arrays.asList(
              d.lease().videoId(),
              s.outputPrefix(),
              s.durationSeconds(),
              s.width(),
              s.height(),
              s.fps(),
              s.hasAudio()));
    }
    params.add(VideoStatus.READY.wireName());
    params.add(ProgressStage.DONE.wireName());
    params.add(utc(now));
    update(
        c,
        "UPDATE "
            + rows(
                "r",
                held.size(),
                "id",
                "output_prefix",
                "duration_seconds",
                "width",
                "height",
                "fps",
                "has_audio")
            + """
             STRAIGHT_JOIN videos v FORCE INDEX (PRIMARY) ON v.id = r.id
            SET v.status = ?, v.output_prefix = r.output_prefix,
              v.duration_seconds = r.duration_seconds, v.width = r.width, v.height = r.height,
              v.fps = r.fps, v.has_audio = r.has_audio, v.progress_percent = 100,
              v.progress_stage = ?, v.progress_eta_seconds = NULL, v.error_code = NULL,
              v.error_message = NULL, v.updated_at = ?""",
        params);
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
    return recordFailure(lease, lease.attempt(), state, failure);
  }

  /**
   * As {@link #recordFailure(Lease, JobState, JobFailure)}, for a job whose output is that of
   * attempt {@code outputAttempt} of the video (a flow's chunk writes under its parent's attempt,
   * not its own): the renditions published from that attempt are forgotten.
   */
  public boolean recordFailure(Lease lease, int outputAttempt, JobState state, JobFailure failure)
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
        forgetPublished(c, lease.videoId(), outputAttempt);
        if (!retryable) {
          captureWebhookEvents(
              c, List.of(new WebhookEvent(lease.videoId(), VideoEventType.FAILED, null)), now);
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
            WHERE id = ? AND status IN (?, ?)""",
            VideoStatus.QUEUED.wireName(),
            utc(now),
            lease.videoId(),
            VideoStatus.PROCESSING.wireName(),
            VideoStatus.PLAYABLE.wireName());
        forgetPublished(c, lease.videoId(), lease.attempt());
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * The first published segments are in the store: in one transaction, only while the lease is
   * ours, the rows of what is published so far are recorded (so the API serves their playlists),
   * the video points at the attempt's prefix and turns {@code playable}, and the webhook event is
   * written.
   *
   * @return false when the lease was lost; then nothing was written and nothing more may be
   *     published
   */
  public boolean recordPlayable(Lease lease, String outputPrefix, List<RenditionRow> published)
      throws SQLException {
    Instant now = clock.instant();
    try (Connection c = transaction()) {
      try {
        if (!leaseHeld(c, lease)) {
          c.rollback();
          return false;
        }
        recordPlayable(c, lease.videoId(), lease.attempt(), outputPrefix, published, now);
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Records renditions published after the video turned playable (a rung that started, or one that
   * finished: {@code finished} rows also get their {@code video.rendition.ready} webhook event),
   * only while the lease is ours.
   *
   * @return false when the lease was lost; then nothing was written
   */
  public boolean recordPublished(Lease lease, List<RenditionRow> rows, boolean finished)
      throws SQLException {
    Instant now = clock.instant();
    try (Connection c = transaction()) {
      try {
        if (!leaseHeld(c, lease)) {
          c.rollback();
          return false;
        }
        upsertRenditions(c, lease, rows, now);
        if (finished) {
          List<WebhookEvent> events = new ArrayList<>();
          for (RenditionRow r : rows) {
            if (announcesItself(r)) {
              events.add(new WebhookEvent(lease.videoId(), VideoEventType.RENDITION_READY, r));
            }
          }
          if (!events.isEmpty()) {
            captureWebhookEvents(c, events, now);
          }
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
   * In the caller's transaction, which has checked that the attempt may still write: the rows
   * published so far are recorded (or updated), and a {@code processing} video points at the
   * attempt's prefix and turns {@code playable}, with its webhook event.
   *
   * @return whether the video turned playable here (false: it already was, or is no longer
   *     processing)
   */
  boolean recordPlayable(
      Connection c,
      String videoId,
      int attempt,
      String outputPrefix,
      List<RenditionRow> published,
      Instant now)
      throws SQLException {
    upsertRenditions(c, videoId, attempt, published, now);
    int n =
        update(
            c,
            """
            UPDATE videos SET status = ?, output_prefix = ?, updated_at = ?
            WHERE id = ? AND status = ?""",
            VideoStatus.PROCESSING.transitionTo(VideoStatus.PLAYABLE).wireName(),
            outputPrefix,
            utc(now),
            videoId,
            VideoStatus.PROCESSING.wireName());
    if (n == 1) {
      captureWebhookEvents(
          c, List.of(new WebhookEvent(videoId, VideoEventType.PLAYABLE, null)), now);
    }
    return n == 1;
  }

  private static boolean leaseHeld(Connection c, Lease lease) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM jobs WHERE id = ? AND lease_owner = ? AND state = ? FOR UPDATE")) {
      ps.setString(1, lease.jobId());
      ps.setString(2, lease.owner());
      ps.setString(3, JobState.RUNNING.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void upsertRenditions(
      Connection c, Lease lease, List<RenditionRow> rows, Instant now) throws SQLException {
    upsertRenditions(c, lease.videoId(), lease.attempt(), rows, now);
  }

  private static void upsertRenditions(
      Connection c, String videoId, int attempt, List<RenditionRow> rows, Instant now)
      throws SQLException {
    for (RenditionRow r : rows) {
      update(
          c,
          """
          INSERT INTO renditions (video_id, attempt, kind, name, width, height, bitrate_kbps,
            codecs, s3_key, size_bytes, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON DUPLICATE KEY UPDATE width = VALUES(width), height = VALUES(height),
            bitrate_kbps = VALUES(bitrate_kbps), codecs = VALUES(codecs),
            s3_key = VALUES(s3_key), size_bytes = VALUES(size_bytes)""",
          videoId,
          attempt,
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
  }

  /**
   * An attempt that published progressively and then fails or is handed back leaves nothing the
   * video points at: its rows go, and the video no longer points at its prefix.
   */
  private static void forgetPublished(Connection c, String videoId, int attempt)
      throws SQLException {
    update(c, "DELETE FROM renditions WHERE video_id = ? AND attempt = ?", videoId, attempt);
    update(
        c,
        "UPDATE videos SET output_prefix = NULL WHERE id = ? AND output_prefix = ?",
        videoId,
        dev.capstan.model.storage.S3Keys.attemptPrefix(videoId, attempt));
  }

  /** Records the stream entry that now carries a queued job (after a hand-back or a requeue). */
  public void recordPublished(String jobId, int attempt, String entryId) throws SQLException {
    recordPublished(List.of(new Publication(jobId, attempt, entryId)));
  }

  /**
   * Records the entries of many queued jobs with one statement (rows no longer queued as that
   * attempt are left alone): only bookkeeping for the reconciler, which publishes again what it
   * finds unrecorded. The rows are locked in key order, as every batch locks them.
   */
  public void recordPublished(List<Publication> publications) throws SQLException {
    if (publications.isEmpty()) {
      return;
    }
    // One publication per job: the latest entry wins.
    Map<String, Publication> byJob = new TreeMap<>();
    publications.forEach(p -> byJob.put(p.jobId(), p));
    List<Object> params = new ArrayList<>();
    for (Publication p : byJob.values()) {
      params.add(p.jobId());
      params.add(p.entryId());
      params.add(p.attempt());
    }
    Instant now = clock.instant();
    params.add(utc(now));
    params.add(utc(now));
    params.add(JobState.QUEUED.name());
    try (Connection c = dataSource.getConnection()) {
      update(
          c,
          "UPDATE "
              + rows("p", byJob.size(), "id", "stream_entry_id", "attempt")
              + """
               STRAIGHT_JOIN jobs j FORCE INDEX (PRIMARY)
                ON j.id = p.id AND j.attempt = p.attempt
              SET j.stream_entry_id = p.stream_entry_id, j.published_at = ?, j.updated_at = ?
              WHERE j.state = ?""",
          params);
    }
  }

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

  /** A webhook event to capture: the video's new state, or one of its renditions being ready. */
  private record WebhookEvent(String videoId, VideoEventType type, RenditionRow rendition) {}

  /**
   * Writes the webhook events announcing the videos' new states into {@code webhook_outbox}, in the
   * caller's transaction (so each exists exactly when its change does), in the order given, with
   * the videos' facts as they are now: one read for all the videos, one batch of inserts. Nothing
   * is written for users without webhooks. The API delivers them, even if none of its instances
   * runs right now.
   */
  private void captureWebhookEvents(Connection c, List<WebhookEvent> events, Instant now)
      throws SQLException {
    List<Object> videoIds = events.stream().map(e -> (Object) e.videoId()).distinct().toList();
    Map<String, Map<String, Object>> facts = new HashMap<>();
    Map<String, String> users = new HashMap<>();
    try (PreparedStatement ps =
            prepare(
                c,
                """
                SELECT v.id, v.user_id, v.title, v.status, v.duration_seconds, v.width, v.height,
                  v.error_code, v.error_message
                FROM videos v FORCE INDEX (PRIMARY)
                WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.user_id = v.user_id) AND v.id IN """
                    + marks(videoIds.size()),
                videoIds);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String videoId = rs.getString("id");
        users.put(videoId, rs.getString("user_id"));
        facts.put(
            videoId,
            WebhookEvents.videoFacts(
                videoId,
                rs.getString("title"),
                rs.getString("status"),
                rs.getObject("duration_seconds", Double.class),
                rs.getObject("width", Integer.class),
                rs.getObject("height", Integer.class),
                rs.getString("error_code"),
                rs.getString("error_message")));
      }
    }
    if (facts.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
            INSERT INTO webhook_outbox (user_id, video_id, event_key, event_type, payload,
              created_at)
            VALUES (?, ?, ?, ?, ?, ?)""")) {
      for (WebhookEvent e : events) {
        if (!facts.containsKey(e.videoId())) {
          continue;
        }
        RenditionRow rendition = e.rendition();
        String key =
            rendition == null
                ? WebhookEvents.key(e.type().wireName(), e.videoId(), now)
                : WebhookEvents.renditionKey(e.videoId(), renditionId(rendition), now);
        bind(
            ps,
            users.get(e.videoId()),
            e.videoId(),
            key,
            e.type().wireName(),
            WebhookEvents.payload(
                key,
                e.type().wireName(),
                now,
                facts.get(e.videoId()),
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
        ps.addBatch();
      }
      ps.executeBatch();
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

  /** The statuses of the videos, their rows locked in key order; missing videos are absent. */
  private static Map<String, VideoStatus> videoStatusesForUpdate(
      Connection c, List<String> videoIds) throws SQLException {
    Map<String, VideoStatus> out = new HashMap<>();
    List<Object> ids = videoIds.stream().map(id -> (Object) id).distinct().toList();
    if (ids.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps =
            prepare(
                c,
                "SELECT id, status FROM videos FORCE INDEX (PRIMARY) WHERE id IN "
                    + marks(ids.size())
                    + " ORDER BY id FOR UPDATE",
                ids);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), VideoStatus.fromWire(rs.getString(2)));
      }
    }
    return out;
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
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  private static int update(Connection c, String sql, List<Object> params) throws SQLException {
    return update(c, sql, params.toArray());
  }

  private static PreparedStatement prepare(Connection c, String sql, List<Object> params)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      bind(ps, params.toArray());
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      // The typed setters where the type is known: setObject looks the type up on every call.
      switch (p) {
        case null -> ps.setNull(i + 1, Types.NULL);
        case String v -> ps.setString(i + 1, v);
        case Integer v -> ps.setInt(i + 1, v);
        case Long v -> ps.setLong(i + 1, v);
        case Double v -> ps.setDouble(i + 1, v);
        case Boolean v -> ps.setBoolean(i + 1, v);
        default -> ps.setObject(i + 1, p);
      }
    }
  }

  /**
   * {@code n} rows of the named columns, every value a parameter, as a derived table: {@code
   * (SELECT ? AS a, ? AS b UNION ALL SELECT ?, ? ...) alias}, its rows in the order given. Joined
   * first ({@code STRAIGHT_JOIN}) on a table's key, it updates many rows with values of their own
   * in one statement, taking the rows in the order given, at a cost that grows with the rows; a
   * {@code CASE id WHEN ...} per column instead compares every row with every case.
   */
  private static String rows(String alias, int n, String... columns) {
    StringBuilder sql = new StringBuilder("(SELECT ");
    for (int i = 0; i < columns.length; i++) {
      sql.append(i == 0 ? "? AS " : ", ? AS ").append(columns[i]);
    }
    String more =
        " UNION ALL SELECT " + String.join(", ", Collections.nCopies(columns.length, "?"));
    sql.append(more.repeat(n - 1));
    return sql.append(") ").append(alias).toString();
  }

  /** {@code (?, ?, ...)} with {@code n} marks, for an {@code IN} list. */
  private static String marks(int n) {
    return "(" + String.join(", ", Collections.nCopies(n, "?")) + ")";
  }

  /** The parameters in order: lists are spread, anything else is one parameter. */
  private static List<Object> concat(Object... parts) {
    List<Object> out = new ArrayList<>();
    for (Object part : parts) {
      if (part instanceof List<?> list) {
        out.addAll(list);
      } else {
        out.add(part);
      }
    }
    return out;
  }

  static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
