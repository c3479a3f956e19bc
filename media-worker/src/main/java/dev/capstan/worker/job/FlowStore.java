package dev.capstan.worker.job;

import static dev.capstan.worker.job.JobStore.update;
import static dev.capstan.worker.job.JobStore.utc;

import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.video.VideoStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The rows of a flow (issue 9): a parent transcode job that split its video into child jobs (the
 * picture chunks and, for a source with audio the parent did not copy, the audio child) and waits
 * for them. State machine of the parent: {@code RUNNING} (probing, maybe copying, writing the
 * children) → {@code WAITING} (no lease; {@code children_pending} counts down) → {@code RUNNING}
 * again under the lease of whichever worker finished the last chunk (one conditional UPDATE, so the
 * finishing step runs exactly once) → {@code SUCCEEDED}. A chunk is an ordinary job row with a
 * {@code parent_id}: leased, renewed, retried and reclaimed as any other; only its success also
 * counts the parent down, in the same transaction.
 */
@ApplicationScoped
public class FlowStore {
  /** {@code jobs.kind} of a chunk job (its stream entries are plain transcode entries). */
  public static final String CHUNK_KIND = JobKinds.TRANSCODE.kind() + "_chunk";

  private final DataSource dataSource;
  private final Clock clock;
  private final FlowPublisher publisher;

  public FlowStore(DataSource dataSource, Clock clock, FlowPublisher publisher) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.publisher = publisher;
  }

  /**
   * The parent, still running under {@code parent}, writes its child jobs (queued, attempt 1, on
   * the parent's lane with its attempt budget) and how many it waits for; children of earlier
   * attempts that have not finished are ended, so they write nothing more. {@code parentResultJson}
   * is what the parent knows of the whole video (with the audio when it copied it).
   *
   * @return the lane the chunks travel on, or empty when the lease was lost (nothing written)
   */
  public Optional<String> startFlow(
      Lease parent, List<TranscodeJob> chunks, String parentResultJson) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = JobStore.transaction(dataSource)) {
      try {
        String lane;
        int maxAttempts;
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT lane, max_attempts FROM jobs WHERE id = ? AND lease_owner = ?"
                    + " AND state = ? FOR UPDATE")) {
          ps.setString(1, parent.jobId());
          ps.setString(2, parent.owner());
          ps.setString(3, JobState.RUNNING.name());
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return Optional.empty();
            }
            lane = rs.getString(1);
            maxAttempts = rs.getInt(2);
          }
        }
        update(
            c,
            """
            UPDATE jobs SET state = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL,
              finished_at = ?, updated_at = ?
            WHERE parent_id = ? AND state IN ('QUEUED', 'RUNNING', 'FAILED')""",
            JobState.DEAD.name(),
            "superseded by attempt " + parent.attempt() + " of the parent",
            utc(now),
            utc(now),
            parent.jobId());
        update(
            c,
            "UPDATE jobs SET children_pending = ?, result = ?, updated_at = ? WHERE id = ?",
            chunks.size(),
            parentResultJson,
            utc(now),
            parent.jobId());
        for (TranscodeJob chunk : chunks) {
          update(
              c,
              """
              INSERT INTO jobs (id, video_id, kind, state, attempt, max_attempts, payload, lane,
                parent_id, created_at, updated_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
              chunk.jobId(),
              chunk.videoId(),
              CHUNK_KIND,
              JobState.QUEUED.name(),
              chunk.attempt(),
              maxAttempts,
              JobMessage.encode(JobKinds.TRANSCODE, chunk.jobId(), chunk)
                  .get(JobMessage.FIELD_PAYLOAD),
              lane,
              parent.jobId(),
              utc(now),
              utc(now));
        }
        c.commit();
        return Optional.of(lane);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** What the parent does once its children are written. */
  public sealed interface ParentTurn {
    /** The chunks are still running: the parent waits, without a lease. */
    record Waiting() implements ParentTurn {}

    /** Every chunk is done already: finish the flow now, under this lease. */
    record Finish(Lease lease) implements ParentTurn {}

    /** The lease was lost; nothing was written. */
    record Lost() implements ParentTurn {}
  }

  /**
   * The parent waits (state {@code WAITING}, no lease), unless every child is done already: then it
   * keeps running and finishes.
   */
  public ParentTurn parentWaits(Lease parent, Duration leaseFor) throws SQLException {
    Instant now = clock.instant();
    Instant expires = now.plus(leaseFor);
    try (Connection c = JobStore.transaction(dataSource)) {
      try {
        int n =
            update(
                c,
                """
                UPDATE jobs SET state = ?, lease_owner = NULL, lease_expires_at = NULL,
                  updated_at = ?
                WHERE id = ? AND lease_owner = ? AND state = ?""",
                JobState.RUNNING.transitionTo(JobState.WAITING).name(),
                utc(now),
                parent.jobId(),
                parent.owner(),
                JobState.RUNNING.name());
        if (n == 0) {
          c.rollback();
          return new ParentTurn.Lost();
        }
        // Children that finished while the parent ran were published as they finished.
        Optional<Lease> finisher = takeFinishingStep(c, parent.jobId(), parent.owner(), expires);
        c.commit();
        return finisher.<ParentTurn>map(ParentTurn.Finish::new).orElse(new ParentTurn.Waiting());
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Result of trying to take a chunk job. */
  public sealed interface ChunkClaim {
    record Taken(Lease lease) implements ChunkClaim {}

    /** Done, running elsewhere, or of another attempt. */
    record NotAvailable() implements ChunkClaim {}

    /** Its flow is over (the parent failed or was superseded); the chunk is now dead. */
    record Superseded(String why) implements ChunkClaim {}
  }

  /**
   * Takes a queued chunk as {@code job.attempt()}: one conditional UPDATE, as for any job; a chunk
   * whose parent no longer waits for it (failed, retried as a new attempt) is ended instead.
   */
  public ChunkClaim claimChunk(TranscodeJob job, String owner, Duration leaseFor)
      throws SQLException {
    Instant now = clock.instant();
    Instant expires = now.plus(leaseFor);
    try (Connection c = JobStore.transaction(dataSource)) {
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
                job.jobId(),
                job.videoId(),
                job.attempt(),
                JobState.QUEUED.name());
        if (taken == 0) {
          c.rollback();
          return new ChunkClaim.NotAvailable();
        }
        String why = null;
        try (PreparedStatement ps =
            c.prepareStatement(
                """
                SELECT p.state, p.attempt, v.status FROM jobs p JOIN videos v ON v.id = p.video_id
                WHERE p.id = ? FOR UPDATE""")) {
          ps.setString(1, job.chunk().parentJobId());
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              why = "its parent job is gone";
            } else if (rs.getInt(2) != job.chunk().parentAttempt()
                || !List.of(JobState.RUNNING.name(), JobState.WAITING.name())
                    .contains(rs.getString(1))) {
              why = "its parent is no longer waiting for it (" + rs.getString(1) + ")";
            } else if (!VideoStatus.PROCESSING.wireName().equals(rs.getString(3))
                && !VideoStatus.PLAYABLE.wireName().equals(rs.getString(3))) {
              why = "its video is " + rs.getString(3);
            }
          }
        }
        if (why != null) {
          JobStore.endJob(c, job.jobId(), owner, JobState.DEAD, "superseded: " + why, now);
          c.commit();
          return new ChunkClaim.Superseded(why);
        }
        c.commit();
        return new ChunkClaim.Taken(
            new Lease(job.jobId(), job.videoId(), job.attempt(), owner, expires));
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** What a chunk's success led to. */
  public sealed interface ChunkDone {
    /** Recorded; other chunks are still running (or the flow is over). */
    record Recorded(int pending, int count) implements ChunkDone {}

    /** This was the last chunk: run the flow's finishing step under the parent's lease. */
    record FinishFlow(Lease parentLease) implements ChunkDone {}

    /** The chunk's lease was lost; nothing was written. */
    record Lost() implements ChunkDone {}
  }

  /**
   * In one transaction: the chunk succeeds with its result (only under its lease), its parent
   * counts down, the video shows the share of chunks done, and when none is left and the parent
   * waits, this worker takes the parent's lease for the finishing step.
   */
  public ChunkDone completeChunk(
      Lease chunk, TranscodeJob job, String resultJson, Duration leaseFor) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = JobStore.transaction(dataSource)) {
      try {
        int ended =
            update(
                c,
                """
                UPDATE jobs SET state = ?, result = ?, last_error = NULL, finished_at = ?,
                  lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE id = ? AND lease_owner = ? AND state = ?""",
                JobState.SUCCEEDED.name(),
                resultJson,
                utc(now),
                utc(now),
                chunk.jobId(),
                chunk.owner(),
                JobState.RUNNING.name());
        if (ended == 0) {
          c.rollback();
          return new ChunkDone.Lost();
        }
        String parentId = job.chunk().parentJobId();
        int counted =
            update(
                c,
                """
                UPDATE jobs SET children_pending = children_pending - 1, updated_at = ?
                WHERE id = ? AND attempt = ? AND state IN ('RUNNING', 'WAITING')
                  AND children_pending > 0""",
                utc(now),
                parentId,
                job.chunk().parentAttempt());
        int count = job.chunk().count();
        if (counted == 0) {
          c.commit();
          return new ChunkDone.Recorded(0, count);
        }
        int pending = pending(c, parentId);
        int children = count + (hasAudioChild(c, parentId) ? 1 : 0);
        update(
            c,
            """
            UPDATE videos SET progress_percent = ?, progress_stage = ?, updated_at = ?
            WHERE id = ? AND status IN (?, ?)""",
            (int) Math.max(0, Math.min(99, Math.round(100.0 * (children - pending) / children))),
            ProgressStage.TRANSCODING.wireName(),
            utc(now),
            chunk.videoId(),
            VideoStatus.PROCESSING.wireName(),
            VideoStatus.PLAYABLE.wireName());
        // The parent's row is locked (counted down above): publishers of this flow take turns.
        Optional<FlowPublisher.TurnedPlayable> playable =
            publisher.publish(c, parentId, chunk.videoId(), job.chunk().parentAttempt());
        Optional<Lease> finisher =
            pending == 0
                ? takeFinishingStep(c, parentId, chunk.owner(), now.plus(leaseFor))
                : Optional.empty();
        c.commit();
        publisher.announce(playable);
        return finisher
            .<ChunkDone>map(ChunkDone.FinishFlow::new)
            .orElse(new ChunkDone.Recorded(pending, children));
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * A waiting parent with no chunk left becomes RUNNING under {@code owner}: the one conditional
   * UPDATE that lets exactly one worker finish the flow.
   */
  private Optional<Lease> takeFinishingStep(
      Connection c, String parentId, String owner, Instant expires) throws SQLException {
    Instant now = clock.instant();
    int n =
        update(
            c,
            """
            UPDATE jobs SET state = ?, lease_owner = ?, lease_expires_at = ?, updated_at = ?
            WHERE id = ? AND state = ? AND children_pending = 0""",
            JobState.WAITING.transitionTo(JobState.RUNNING).name(),
            owner,
            utc(expires),
            utc(now),
            parentId,
            JobState.WAITING.name());
    if (n == 0) {
      return Optional.empty();
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT video_id, attempt FROM jobs WHERE id = ?")) {
      ps.setString(1, parentId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Optional.of(new Lease(parentId, rs.getString(1), rs.getInt(2), owner, expires));
      }
    }
  }

  /** Whether the flow waits for an audio child: a source with audio the parent did not copy. */
  private static boolean hasAudioChild(Connection c, String parentId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT result FROM jobs WHERE id = ?")) {
      ps.setString(1, parentId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return false;
        }
        FlowResults.Parent own = FlowResults.read(rs.getString(1), FlowResults.Parent.class);
        return own.hasAudio() && own.audio() == null;
      }
    }
  }

  private static int pending(Connection c, String parentId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT children_pending FROM jobs WHERE id = ?")) {
      ps.setString(1, parentId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  /**
   * A transient failure of a chunk: the chunk alone is FAILED (the API's reconciler retries it by
   * the retry policy); the video stays processing, its other chunks go on.
   *
   * @return false when the lease was lost
   */
  public boolean failChunk(Lease chunk, JobFailure failure) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      return JobStore.endJob(
              c, chunk.jobId(), chunk.owner(), JobState.FAILED, failure.technicalDetail(), now)
          == 1;
    }
  }

  /**
   * The flow cannot succeed (a chunk's media is bad): the parent and every chunk not yet finished
   * are dead, so none of them runs again.
   */
  public void endFlow(String parentId, int parentAttempt, String why) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = JobStore.transaction(dataSource)) {
      try {
        update(
            c,
            """
            UPDATE jobs SET state = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL,
              finished_at = ?, updated_at = ?
            WHERE id = ? AND attempt = ? AND state IN ('RUNNING', 'WAITING')""",
            JobState.DEAD.name(),
            why,
            utc(now),
            utc(now),
            parentId,
            parentAttempt);
        update(
            c,
            """
            UPDATE jobs SET state = ?, last_error = ?, finished_at = ?, updated_at = ?
            WHERE parent_id = ? AND state IN ('QUEUED', 'FAILED')""",
            JobState.DEAD.name(),
            why,
            utc(now),
            utc(now),
            parentId);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Gives a chunk back untouched (worker draining): queued again, the video unchanged. */
  public boolean handBackChunk(Lease chunk) throws SQLException {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      return update(
              c,
              """
              UPDATE jobs SET state = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
              WHERE id = ? AND lease_owner = ? AND state = ?""",
              JobState.QUEUED.name(),
              utc(now),
              chunk.jobId(),
              chunk.owner(),
              JobState.RUNNING.name())
          == 1;
    }
  }

  /** The parent's own result, as {@link #startFlow} recorded it. */
  public String parentResult(String parentId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT result FROM jobs WHERE id = ?")) {
      ps.setString(1, parentId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Results of the parent's succeeded chunks (of every attempt of the parent; callers filter). */
  public List<String> chunkResults(String parentId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT result FROM jobs WHERE parent_id = ? AND state = ? AND result IS NOT NULL")) {
      ps.setString(1, parentId);
      ps.setString(2, JobState.SUCCEEDED.name());
      try (ResultSet rs = ps.executeQuery()) {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
          out.add(rs.getString(1));
        }
        return out;
      }
    }
  }
}
