package dev.capstan.worker.testing;

import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import io.lettuce.core.api.sync.RedisCommands;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Seeds rows the way the API writes them and reads back what the worker wrote, in plain SQL. */
public final class WorkerFixtures {
  private WorkerFixtures() {}

  /** A queued video with its queued job, attempt 1. */
  public record Seeded(String videoId, String jobId, int attempt) {
    public Seeded(String videoId, String jobId) {
      this(videoId, jobId, 1);
    }

    public TranscodeJob job() {
      return new TranscodeJob(jobId, videoId, attempt, S3Keys.source(videoId));
    }

    /** The same job as a later attempt (as the reconciler re-queues it). */
    public Seeded asAttempt(int n) {
      return new Seeded(videoId, jobId, n);
    }

    public Map<String, String> entry() {
      return JobMessage.encode(JobKinds.TRANSCODE, jobId, job());
    }
  }

  public static Seeded seedQueuedVideo() throws Exception {
    String userId = UUID.randomUUID().toString();
    String videoId = UUID.randomUUID().toString();
    String jobId = UUID.randomUUID().toString();
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
    execute(
        "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        userId,
        userId + "@example.test",
        "Test user",
        "x",
        now);
    execute(
        "INSERT INTO videos (id, user_id, title, status, source_key, created_at, updated_at)"
            + " VALUES (?, ?, ?, 'queued', ?, ?, ?)",
        videoId,
        userId,
        "Holiday",
        S3Keys.source(videoId),
        now,
        now);
    Seeded seeded = new Seeded(videoId, jobId);
    execute(
        "INSERT INTO jobs (id, video_id, kind, state, attempt, max_attempts, payload, created_at,"
            + " updated_at) VALUES (?, ?, ?, 'QUEUED', 1, 3, ?, ?, ?)",
        jobId,
        videoId,
        JobKinds.TRANSCODE.kind(),
        seeded.entry().get(JobMessage.FIELD_PAYLOAD),
        now,
        now);
    return seeded;
  }

  /** Marks the job as running under someone else's lease, ending {@code minutesFromNow} on. */
  public static void leaseTo(Seeded s, String owner, long minutesFromNow) throws Exception {
    execute(
        "UPDATE jobs SET state = 'RUNNING', lease_owner = ?, lease_expires_at = ? WHERE id = ?",
        owner,
        LocalDateTime.now(ZoneOffset.UTC).plusMinutes(minutesFromNow),
        s.jobId());
  }

  public static Map<String, Object> video(String id) throws Exception {
    return rows("SELECT * FROM videos WHERE id = ?", id).get(0);
  }

  public static Map<String, Object> job(String id) throws Exception {
    return rows("SELECT * FROM jobs WHERE id = ?", id).get(0);
  }

  public static List<Map<String, Object>> rows(String sql, Object... params) throws Exception {
    try (Connection c = WorkerTestServices.services().database().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> row = new HashMap<>();
          for (int col = 1; col <= rs.getMetaData().getColumnCount(); col++) {
            row.put(rs.getMetaData().getColumnLabel(col), rs.getObject(col));
          }
          out.add(row);
        }
        return out;
      }
    }
  }

  public static void execute(String sql, Object... params) throws Exception {
    try (Connection c = WorkerTestServices.services().database().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      ps.executeUpdate();
    }
  }

  public static String publish(RedisCommands<String, String> redis, Seeded s) {
    return redis.xadd(jobStream(), s.entry());
  }

  public static String jobStream() {
    return QueueNames.jobStream(WorkerTestServices.services().redisNamespace());
  }

  public static String deadLetterStream() {
    return QueueNames.deadLetterStream(WorkerTestServices.services().redisNamespace());
  }

  private static void bind(PreparedStatement ps, Object... params) throws Exception {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
  }
}
