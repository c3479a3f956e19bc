package dev.capstan.api;

import dev.capstan.api.job.service.JobDispatcher;
import dev.capstan.api.video.persistence.VideoEntity;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.model.video.VideoStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The API's half of bench/queue-throughput.sh, not a test (its name keeps it out of every test run;
 * the script runs it with {@code -Dit.test=OutboxEnqueueBenchmark}): enqueue rate through the API's
 * own outbox code. Each job is the transaction the upload commits ({@code VideoService}'s queued
 * flip and {@link JobDispatcher#enqueueTranscode} through Hibernate), then the after-commit
 * publication ({@code XADD} through Redisson, the published mark in a transaction of its own).
 * Writes {@code {"apiEnqueueJobsPerSecond": [..]}} to {@code -Dbench.queue.out}.
 */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class OutboxEnqueueBenchmark {
  @Inject JobDispatcher jobs;

  @Test
  void enqueue_rate_through_the_api_outbox() throws Exception {
    String out = System.getProperty("bench.queue.out");
    Assumptions.assumeTrue(out != null, "run by bench/queue-throughput.sh");
    int n = Integer.getInteger("bench.queue.jobs", 3000);
    int threads = Integer.getInteger("bench.queue.producers", 4);
    int rounds = Integer.getInteger("bench.queue.pairs", 3);
    String user = insertUser();
    warmUp(user, Math.min(n, 1000), threads);
    List<String> rates = new ArrayList<>();
    for (int i = 1; i <= rounds; i++) {
      double rate = round(user, n, threads);
      System.out.printf("api enqueue round %d: %.0f jobs/s%n", i, rate);
      rates.add(String.format(Locale.ROOT, "%.1f", rate));
    }
    Files.writeString(
        Path.of(out), "{\"apiEnqueueJobsPerSecond\": [" + String.join(", ", rates) + "]}\n");
  }

  /**
   * Unmeasured rounds until the rate stops rising (the JIT, Hibernate's and the pools' caches
   * warming), as in a long-running API: two rounds in a row within 10% of each other, after at
   * least three, 30 seconds at most (this path warms slowly: Hibernate, three transactions per
   * upload; it runs in the full benchmark only).
   */
  private void warmUp(String user, int n, int threads) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> seen = new ArrayList<>();
    double previous = 0;
    boolean settled = false;
    while (!settled && System.nanoTime() < deadline) {
      double rate = round(user, n, threads);
      seen.add(String.format(Locale.ROOT, "%.0f", rate));
      settled = seen.size() >= 3 && Math.abs(rate - previous) <= 0.10 * Math.max(rate, previous);
      previous = rate;
    }
    System.out.printf(
        "api enqueue warm-up: %d rounds of %d jobs: %s jobs/s (%s)%n",
        seen.size(),
        n,
        String.join(", ", seen),
        settled ? "the last two within 10%" : "not settled within 30 s");
  }

  private double round(String user, int n, int threads) throws Exception {
    List<String> videos = insertVideos(user, n);
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        tasks.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    enqueue(videos.get(i));
                  }
                }));
      }
      for (Future<?> f : tasks) {
        f.get(10, TimeUnit.MINUTES);
      }
      double rate = n / ((System.nanoTime() - start) / 1e9);
      long published = count("select count(*) from jobs where published_at is not null");
      if (published < n) {
        throw new IllegalStateException(published + " of " + n + " jobs published");
      }
      execute("delete from videos");
      return rate;
    } finally {
      pool.shutdownNow();
    }
  }

  /** What an upload's completion commits (VideoService.commitQueued), then publishes. */
  private void enqueue(String videoId) {
    String key = S3Keys.source(videoId);
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              int updated =
                  VideoEntity.update(
                      "status = ?1, sourceKey = ?2, sourceSizeBytes = ?3, progressStage = ?1,"
                          + " progressPercent = 0, updatedAt = ?4 where id = ?5 and status = ?6",
                      VideoStatus.QUEUED.wireName(),
                      key,
                      1000L,
                      Instant.now().truncatedTo(ChronoUnit.MICROS),
                      videoId,
                      VideoStatus.AWAITING_UPLOAD.wireName());
              if (updated != 1) {
                throw new IllegalStateException("video " + videoId + " was not waiting");
              }
              jobs.enqueueTranscode(videoId, key);
            });
  }

  private static String insertUser() throws Exception {
    String id = UUID.randomUUID().toString();
    execute(
        "insert into users (id, email, name, password_hash, created_at) values (?, ?, 'bench',"
            + " 'x', ?)",
        id,
        "bench-" + id + "@example.com",
        LocalDateTime.now(ZoneOffset.UTC));
    return id;
  }

  private static List<String> insertVideos(String user, int n) throws Exception {
    List<String> ids = new ArrayList<>(n);
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into videos (id, user_id, title, status, created_at, updated_at)"
                    + " values (?, ?, 'bench', 'awaiting_upload', ?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < n; i++) {
        String id = UUID.randomUUID().toString();
        ids.add(id);
        ps.setString(1, id);
        ps.setString(2, user);
        ps.setObject(3, now);
        ps.setObject(4, now);
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    }
    return ids;
  }

  private static long count(String sql) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(String sql, Object... params) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }
}
