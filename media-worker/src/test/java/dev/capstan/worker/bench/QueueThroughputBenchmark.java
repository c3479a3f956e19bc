package dev.capstan.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.capstan.devtools.fixtures.Fixtures;
import dev.capstan.devtools.fixtures.TestDatabase;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.model.video.VideoStatus;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.job.JobStore;
import dev.capstan.worker.job.TranscodeJobProcessor;
import dev.capstan.worker.queue.BatchConsumer;
import dev.capstan.worker.queue.JobQueue;
import dev.capstan.worker.queue.LettuceJobQueue;
import dev.capstan.worker.redis.WorkerRedis;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jboss.logmanager.LogContext;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * Queue throughput with no-op jobs, end to end (issue 4's benchmark; not a test). Each job goes
 * through the whole outbox and lease cycle on the real MariaDB and Redis:
 *
 * <ol>
 *   <li>enqueue (producer threads, each taking {@code --enqueue-batch} uploads at a time; 1 is the
 *       API's one-upload transaction): one transaction flips the videos to {@code queued} and
 *       inserts their {@code jobs} rows (one multi-row {@code UPDATE}, one multi-row {@code
 *       INSERT}); after commit the jobs are {@code XADD}ed to their lane as one pipeline and their
 *       entry ids recorded on the rows with one statement ({@link LettuceJobQueue#requeue(List)}
 *       and {@link JobStore#recordPublished(List)}, the worker's own publication code);
 *   <li>consume (consumer threads, each a {@link BatchConsumer}, the worker's own consume step, of
 *       {@code --batch} entries): {@code XREADGROUP COUNT n}, every lease in one transaction
 *       ({@link JobStore#claimAll}), the no-op work, the lease-guarded commits in one transaction
 *       ({@link JobStore#recordSuccesses}, no renditions), one {@code XACK}.
 * </ol>
 *
 * The anchor, measured on the same Redis in the same run and alternating with the subject, is
 * {@code redis-benchmark} doing nothing but {@code XADD} to one stream. jobs/s counts from the
 * first enqueue to the last acknowledgement.
 *
 * <p>Arguments: {@code --pairs 3 --jobs 10000 --producers 4 --consumers 4 --batch 250
 * --enqueue-batch 250 --anchor-requests 100000 --schema-version latest --json FILE --section FILE}.
 * Database and Redis come from the same settings as the tests ({@code CAPSTAN_TEST_DB_URL}, {@code
 * CAPSTAN_TEST_REDIS_URL}); the database and keys it makes are removed at the end.
 */
public final class QueueThroughputBenchmark {
  private static final double TARGET_JOBS_PER_SECOND = 5000;
  private static final int WARM_UP_MIN_ROUNDS = 3;
  private static final int WARM_UP_MIN_JOBS = 30_000;
  private static final double WARM_UP_SETTLED = 0.10;
  private static final Duration WARM_UP_BUDGET = Duration.ofSeconds(10);
  private static final JobStore.Success NO_OUTPUT =
      new JobStore.Success("bench/", 1.0, 320, 180, 30.0, false, List.of());

  private final int jobs;
  private final int producers;
  private final int consumers;
  private final int batch;
  private final int enqueueBatch;
  private final int anchorRequests;
  private final URI redisUri;
  private final String namespace;
  private final WorkerConfig config;
  private final DataSource dataSource;
  private final JobStore store;
  private final String userId = UUID.randomUUID().toString();
  private int warmUpRounds;

  /**
   * The Redis clients of the producers and of each consumer, connected once and kept across rounds
   * as a running API and running workers keep theirs: connecting is not job throughput.
   */
  private WorkerRedis producerRedis;

  private final List<WorkerRedis> consumerRedis = new ArrayList<>();
  private boolean warmUpSettled;

  private QueueThroughputBenchmark(
      int jobs,
      int producers,
      int consumers,
      int batch,
      int enqueueBatch,
      int anchorRequests,
      URI redisUri,
      String namespace,
      DataSource dataSource) {
    this.jobs = jobs;
    this.producers = producers;
    this.consumers = consumers;
    this.batch = batch;
    this.enqueueBatch = enqueueBatch;
    this.anchorRequests = anchorRequests;
    this.redisUri = redisUri;
    this.namespace = namespace;
    this.dataSource = dataSource;
    this.config = workerConfig(redisUri.toString(), namespace);
    this.store = new JobStore(dataSource, Clock.systemUTC());
  }

  public static void main(String[] args) throws Exception {
    // Outside Quarkus nothing configures the log manager, and its loggers default to ALL: the
    // MariaDB driver then hex-dumps every packet and Lettuce formats every command for TRACE
    // messages that no handler prints, which cost more CPU than the queue itself.
    LogContext.getLogContext().getLogger("").setLevel(Level.INFO);
    Map<String, String> opts = options(args);
    int pairs = Integer.parseInt(opts.getOrDefault("pairs", "3"));
    int jobs = Integer.parseInt(opts.getOrDefault("jobs", "10000"));
    int producers = Integer.parseInt(opts.getOrDefault("producers", "4"));
    int consumers = Integer.parseInt(opts.getOrDefault("consumers", "4"));
    int batch = Integer.parseInt(opts.getOrDefault("batch", "250"));
    int enqueueBatch = Integer.parseInt(opts.getOrDefault("enqueue-batch", "250"));
    int anchorRequests = Integer.parseInt(opts.getOrDefault("anchor-requests", "100000"));
    URI redis =
        URI.create(
            Fixtures.setting(
                "dev.capstan.test.redis.url", "CAPSTAN_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
    String namespace = "capstan-bench-queue-" + Fixtures.runId();

    try (TestDatabase db = TestDatabase.create("queuebench");
        MariaDbPoolDataSource pool =
            new MariaDbPoolDataSource(
                db.jdbcUrl()
                    + "?user="
                    + db.user()
                    + "&password="
                    + db.password()
                    + "&maxPoolSize="
                    + (producers + consumers + 2))) {
      // --schema-version N stops the migrations at version N: the schema of an older build, for
      // an A/B of a schema change in one session.
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:db/migration")
          .target(opts.getOrDefault("schema-version", "latest"))
          .load()
          .migrate();
      QueueThroughputBenchmark bench =
          new QueueThroughputBenchmark(
              jobs,
              producers,
              consumers,
              batch,
              enqueueBatch,
              anchorRequests,
              redis,
              namespace,
              pool);
      try {
        bench.connect();
        bench.run(pairs, opts.get("json"), opts.get("section"), opts.get("api-enqueue"));
      } finally {
        bench.disconnect();
        bench.removeKeys();
      }
    }
    System.exit(0);
  }

  private void run(int pairs, String json, String section, String apiEnqueue) throws Exception {
    List<Double> api = new ArrayList<>();
    if (apiEnqueue != null) {
      new ObjectMapper()
          .readTree(Path.of(apiEnqueue).toFile())
          .path("apiEnqueueJobsPerSecond")
          .forEach(n -> api.add(n.asDouble()));
    }
    insertUser();
    warmUp();
    List<double[]> measured = new ArrayList<>();
    List<Round> rounds = new ArrayList<>();
    for (int i = 1; i <= pairs; i++) {
      Round s = subject(jobs);
      double a = anchor();
      rounds.add(s);
      measured.add(new double[] {s.jobsPerSecond(), a});
      System.out.printf(
          "pair %d: capstan %.0f jobs/s (enqueue %.0f/s alone; CPU per job: %.0f µs client,"
              + " %.0f µs MariaDB), redis-benchmark XADD %.0f/s, ratio %.4f%n",
          i,
          s.jobsPerSecond(),
          s.enqueuedPerSecond(),
          s.clientCpuMicrosPerJob(),
          s.dbCpuMicrosPerJob(),
          a,
          s.jobsPerSecond() / a);
    }
    double[] ratios = measured.stream().mapToDouble(p -> p[0] / p[1]).sorted().toArray();
    double[] subjects = measured.stream().mapToDouble(p -> p[0]).sorted().toArray();
    double[] anchors = measured.stream().mapToDouble(p -> p[1]).sorted().toArray();
    double median = subjects[subjects.length / 2];
    System.out.printf(
        "queue throughput: %.0f / %.0f / %.0f jobs/s (min/median/max); XADD anchor %.0f / %.0f /"
            + " %.0f/s; ratio %.4f / %.4f / %.4f; target >= %.0f jobs/s: %s%n",
        subjects[0],
        median,
        subjects[subjects.length - 1],
        anchors[0],
        anchors[anchors.length / 2],
        anchors[anchors.length - 1],
        ratios[0],
        ratios[ratios.length / 2],
        ratios[ratios.length - 1],
        TARGET_JOBS_PER_SECOND,
        median >= TARGET_JOBS_PER_SECOND ? "met" : "not met");
    if (json != null) {
      writeJson(Path.of(json), measured, rounds, api);
    }
    if (section != null) {
      writeSection(Path.of(section), subjects, anchors, ratios, rounds, api);
    }
  }

  private void connect() {
    producerRedis = new WorkerRedis(config);
    producerRedis.commands().ping();
    for (int c = 0; c < consumers; c++) {
      WorkerRedis redis = new WorkerRedis(config);
      consumerRedis.add(redis);
      redis.commands().ping();
      redis.blocking().ping();
    }
  }

  private void disconnect() {
    consumerRedis.forEach(WorkerRedis::close);
    if (producerRedis != null) {
      producerRedis.close();
    }
  }

  /**
   * Unmeasured rounds until the rate and the cost stop moving, as in a long-running worker: the JIT
   * compiles the hot paths (on 2 busy cores that takes several rounds; the per-batch code runs only
   * a few times a round), the heap settles, the pools fill, the server's caches warm. Rounds like
   * the measured ones (as many jobs) until two in a row are within {@link #WARM_UP_SETTLED} of each
   * other both in jobs/s and in this JVM's CPU per job (the JIT still compiling shows in the
   * latter), after at least {@link #WARM_UP_MIN_ROUNDS} rounds and {@link #WARM_UP_MIN_JOBS} jobs
   * (the JIT was still making the pairs cheaper after 20,000), and at most {@link #WARM_UP_BUDGET}
   * in all.
   */
  private void warmUp() throws Exception {
    int n = jobs;
    long deadline = System.nanoTime() + WARM_UP_BUDGET.toNanos();
    List<String> seen = new ArrayList<>();
    Round previous = null;
    boolean settled = false;
    while (true) {
      Round r = subject(n);
      seen.add(String.format("%.0f (%.0f µs)", r.jobsPerSecond(), r.clientCpuMicrosPerJob()));
      settled =
          previous != null
              && seen.size() >= WARM_UP_MIN_ROUNDS
              && (long) seen.size() * n >= WARM_UP_MIN_JOBS
              && near(r.jobsPerSecond(), previous.jobsPerSecond())
              && near(r.clientCpuMicrosPerJob(), previous.clientCpuMicrosPerJob());
      if (settled || System.nanoTime() > deadline) {
        break;
      }
      previous = r;
    }
    // Each measured round but the first follows an anchor run, which leaves MariaDB a few seconds
    // to purge what the previous round changed and deleted; so the first does too.
    anchor();
    warmUpRounds = seen.size();
    warmUpSettled = settled;
    System.out.printf(
        "warm-up: %d rounds of %,d jobs, jobs/s (client CPU per job): %s; %s%n",
        seen.size(),
        n,
        String.join(", ", seen),
        settled
            ? "the last two within " + Math.round(WARM_UP_SETTLED * 100) + "%"
            : "stopped at the " + WARM_UP_BUDGET.toSeconds() + " s limit");
  }

  private static boolean near(double a, double b) {
    return Math.abs(a - b) <= WARM_UP_SETTLED * Math.max(a, b);
  }

  /** What one subject round measured. */
  private record Round(
      int jobs, long nanos, long enqueueNanos, long dbCommits, long cpuNanos, long dbCpuNanos) {
    /** CPU time this JVM (producers, consumers, drivers) spent per job, in microseconds. */
    double clientCpuMicrosPerJob() {
      return cpuNanos / 1e3 / jobs;
    }

    /**
     * CPU time the MariaDB server spent per job, in microseconds (all its clients: other work on a
     * shared server adds to it); negative when the server is not a process on this host.
     */
    double dbCpuMicrosPerJob() {
      return dbCpuNanos < 0 ? -1 : dbCpuNanos / 1e3 / jobs;
    }

    double jobsPerSecond() {
      return jobs / (nanos / 1e9);
    }

    double enqueuedPerSecond() {
      return jobs / (enqueueNanos / 1e9);
    }
  }

  private Round subject(int n) throws Exception {
    List<String> videos = insertVideos(n);
    ExecutorService pool = Executors.newFixedThreadPool(producers + consumers);
    try {
      LettuceJobQueue producerQueue = new LettuceJobQueue(producerRedis, config);
      producerQueue.ensureGroup();
      AtomicInteger done = new AtomicInteger();
      AtomicInteger next = new AtomicInteger();
      List<Future<?>> tasks = new ArrayList<>();
      long commitsBefore = commits();
      long cpuBefore = processCpuNanos();
      long dbCpuBefore = serverCpuNanos();
      long start = System.nanoTime();
      for (int c = 0; c < consumers; c++) {
        LettuceJobQueue queue = new LettuceJobQueue(consumerRedis.get(c), config);
        String name = "bench-consumer-" + c;
        tasks.add(pool.submit(() -> consume(queue, name, done, n)));
      }
      List<Future<?>> enqueuers = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        enqueuers.add(pool.submit(() -> produce(producerQueue, videos, next)));
      }
      for (Future<?> f : enqueuers) {
        f.get(10, TimeUnit.MINUTES);
      }
      long enqueued = System.nanoTime() - start;
      for (Future<?> f : tasks) {
        f.get(10, TimeUnit.MINUTES);
      }
      long took = System.nanoTime() - start;
      long cpu = processCpuNanos() - cpuBefore;
      long dbCpuAfter = serverCpuNanos();
      long dbCpu = dbCpuBefore < 0 || dbCpuAfter < 0 ? -1 : dbCpuAfter - dbCpuBefore;
      long commits = commits() - commitsBefore;
      long succeeded = countSucceeded();
      if (succeeded != n) {
        throw new IllegalStateException(succeeded + " of " + n + " jobs succeeded");
      }
      return new Round(n, took, enqueued, commits, cpu, dbCpu);
    } finally {
      // A failed round leaves threads mid-batch: let them end before the rows go.
      pool.shutdownNow();
      pool.awaitTermination(1, TimeUnit.MINUTES);
      reset();
    }
  }

  private Void produce(JobQueue queue, List<String> videos, AtomicInteger next)
      throws SQLException {
    for (int from = next.getAndAdd(enqueueBatch);
        from < videos.size();
        from = next.getAndAdd(enqueueBatch)) {
      List<String> batch = videos.subList(from, Math.min(videos.size(), from + enqueueBatch));
      List<TranscodeJob> queued = new ArrayList<>(batch.size());
      for (String videoId : batch) {
        String jobId = UUID.randomUUID().toString();
        queued.add(new TranscodeJob(jobId, videoId, 1, S3Keys.source(videoId)));
      }
      enqueue(queued);
      List<String> entries =
          queue.requeue(
              queued.stream()
                  .map(
                      j ->
                          new JobQueue.Entry(
                              JobLane.SHORT,
                              null,
                              JobMessage.encode(JobKinds.TRANSCODE, j.jobId(), j)))
                  .toList());
      List<JobStore.Publication> published = new ArrayList<>(queued.size());
      for (int i = 0; i < queued.size(); i++) {
        published.add(new JobStore.Publication(queued.get(i).jobId(), 1, entries.get(i)));
      }
      store.recordPublished(published);
    }
    return null;
  }

  private Void consume(LettuceJobQueue queue, String name, AtomicInteger done, int n)
      throws SQLException {
    List<JobLane> lanes = List.of(JobLane.SHORT, JobLane.LONG);
    BatchConsumer consumer = new BatchConsumer(queue, store, name, Duration.ofMinutes(1));
    BatchConsumer.Work noOp = (entry, job, lease) -> new BatchConsumer.Done.Succeeded(NO_OUTPUT);
    while (done.get() < n) {
      for (BatchConsumer.Handled h : consumer.runOnce(Duration.ofMillis(50), lanes, batch, noOp)) {
        if (h.outcome() != TranscodeJobProcessor.Outcome.SUCCEEDED) {
          throw new IllegalStateException("job " + h.job() + " ended " + h.outcome());
        }
        done.incrementAndGet();
      }
    }
    return null;
  }

  /**
   * The API's outbox write for a batch of uploads: the videos queued and their job rows, in one
   * transaction (one multi-row {@code UPDATE} and one multi-row {@code INSERT}); a batch of one is
   * the API's one-upload transaction.
   */
  private void enqueue(List<TranscodeJob> queued) throws SQLException {
    LocalDateTime now = LocalDateTime.ofInstant(Instant.now(), ZoneOffset.UTC);
    String marks = String.join(", ", Collections.nCopies(queued.size(), "?"));
    String rows =
        String.join(", ", Collections.nCopies(queued.size(), "(?, ?, ?, ?, 1, 3, ?, ?, ?, ?)"));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement video =
              c.prepareStatement(
                  "UPDATE videos FORCE INDEX (PRIMARY) SET status = ?, updated_at = ? WHERE status = ?"
                      + " AND id IN ("
                      + marks
                      + ")");
          PreparedStatement job =
              c.prepareStatement(
                  "INSERT INTO jobs (id, video_id, kind, state, attempt, max_attempts, payload,"
                      + " lane, created_at, updated_at) VALUES "
                      + rows)) {
        int v = 1;
        video.setString(v++, VideoStatus.QUEUED.wireName());
        video.setObject(v++, now);
        video.setString(v++, VideoStatus.AWAITING_UPLOAD.wireName());
        int j = 1;
        for (TranscodeJob t : queued) {
          video.setString(v++, t.videoId());
          job.setString(j++, t.jobId());
          job.setString(j++, t.videoId());
          job.setString(j++, JobKinds.TRANSCODE.kind());
          job.setString(j++, JobState.QUEUED.name());
          job.setString(
              j++,
              JobMessage.encode(JobKinds.TRANSCODE, t.jobId(), t).get(JobMessage.FIELD_PAYLOAD));
          job.setString(j++, JobLane.SHORT.wireName());
          job.setObject(j++, now);
          job.setObject(j++, now);
        }
        video.executeUpdate();
        job.executeUpdate();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private double anchor() throws IOException, InterruptedException {
    String key = namespace + ":anchor";
    List<String> cmd =
        List.of(
            "redis-benchmark",
            "-h",
            redisUri.getHost(),
            "-p",
            Integer.toString(redisUri.getPort() < 0 ? 6379 : redisUri.getPort()),
            "-n",
            Integer.toString(anchorRequests),
            "-c",
            "50",
            "--csv",
            "XADD",
            key,
            "*",
            "jobId",
            "x");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("redis-benchmark failed:\n" + out);
    }
    try (WorkerRedis redis = new WorkerRedis(config)) {
      redis.commands().del(key);
    }
    for (String line : out.split("\n")) {
      String[] cells = line.split("\",\"");
      if (cells.length > 1 && cells[0].startsWith("\"XADD")) {
        return Double.parseDouble(cells[1].replace("\"", ""));
      }
    }
    throw new IllegalStateException("no XADD result from redis-benchmark:\n" + out);
  }

  // --- database ---------------------------------------------------------------------------------

  private void insertUser() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO users (id, email, name, password_hash, created_at)"
                    + " VALUES (?, ?, 'bench', 'x', ?)")) {
      ps.setString(1, userId);
      ps.setString(2, "bench-" + userId + "@example.com");
      ps.setObject(3, LocalDateTime.now(ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  /** Videos waiting for their upload to complete; not measured. */
  private List<String> insertVideos(int n) throws SQLException {
    List<String> ids = new ArrayList<>(n);
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO videos (id, user_id, title, status, source_size_bytes, created_at,"
                    + " updated_at) VALUES (?, ?, 'bench', ?, 1000, ?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < n; i++) {
        String id = UUID.randomUUID().toString();
        ids.add(id);
        ps.setString(1, id);
        ps.setString(2, userId);
        ps.setString(3, VideoStatus.AWAITING_UPLOAD.wireName());
        ps.setObject(4, now);
        ps.setObject(5, now);
        ps.addBatch();
        if (i % 1000 == 999) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
      c.commit();
    }
    return ids;
  }

  private long countSucceeded() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM jobs WHERE state = 'SUCCEEDED'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The server's count of explicit COMMITs (autocommit statements are not counted): the
   * transactions the subject cost, roughly, on a shared server.
   */
  private long commits() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_commit'")) {
      return rs.next() ? rs.getLong(2) : 0;
    }
  }

  private void reset() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM videos");
    }
    removeKeys();
  }

  private void removeKeys() {
    try (WorkerRedis redis = new WorkerRedis(config)) {
      List<String> keys = redis.commands().keys(namespace + ":*");
      if (!keys.isEmpty()) {
        redis.commands().del(keys.toArray(String[]::new));
      }
    }
  }

  // --- output ------------------------------------------------------------------------------------

  private void writeJson(Path file, List<double[]> measured, List<Round> rounds, List<Double> api)
      throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "queue-throughput");
    doc.put("title", "Job queue throughput, no-op jobs end to end (outbox, stream, lease, ack)");
    doc.put("unit", "jobs/s");
    doc.put("higherIsBetter", true);
    doc.put(
        "subject",
        "Capstan enqueue ("
            + enqueueBatch
            + " uploads per outbox transaction, pipelined XADD, published marks in one UPDATE)"
            + " and consume through the worker's BatchConsumer (XREADGROUP COUNT "
            + batch
            + ", leases in one conditional UPDATE, lease-guarded commits in one transaction, one"
            + " XACK), "
            + producers
            + " producer and "
            + consumers
            + " consumer threads, "
            + jobs
            + " jobs per round");
    doc.put("anchor", "redis-benchmark XADD to one stream, 50 clients, same Redis, same run");
    List<Map<String, Double>> pairs = new ArrayList<>();
    for (double[] p : measured) {
      Map<String, Double> pair = new LinkedHashMap<>();
      pair.put("subject", round1(p[0]));
      pair.put("anchor", round1(p[1]));
      pairs.add(pair);
    }
    doc.put("pairs", pairs);
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("description", ">= 5,000 jobs/s end to end");
    target.put("ratio", null);
    target.put("absolute", TARGET_JOBS_PER_SECOND);
    doc.put("target", target);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put(
        "enqueueOnlyJobsPerSecond",
        rounds.stream().map(r -> round1(r.enqueuedPerSecond())).toList());
    extra.put(
        "dbExplicitCommitsPerJob",
        rounds.stream().map(r -> round1((double) r.dbCommits() / r.jobs())).toList());
    extra.put(
        "clientCpuMicrosPerJob",
        rounds.stream().map(r -> round1(r.clientCpuMicrosPerJob())).toList());
    extra.put(
        "mariadbCpuMicrosPerJob", rounds.stream().map(r -> round1(r.dbCpuMicrosPerJob())).toList());
    extra.put("apiOutboxEnqueueJobsPerSecond", api);
    extra.put("warmUpRounds", warmUpRounds);
    extra.put("warmUpSettled", warmUpSettled);
    extra.put("consumerBatch", batch);
    extra.put("enqueueBatch", enqueueBatch);
    extra.put("cpus", Runtime.getRuntime().availableProcessors());
    extra.put("loadAverage1mAtEnd", loadAverage());
    doc.put("extra", extra);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
  }

  private void writeSection(
      Path file,
      double[] subjects,
      double[] anchors,
      double[] ratios,
      List<Round> rounds,
      List<Double> api)
      throws IOException {
    double median = subjects[subjects.length / 2];
    double enqueue =
        rounds.stream().mapToDouble(Round::enqueuedPerSecond).sorted().toArray()[rounds.size() / 2];
    double commitsPerJob =
        rounds.stream()
            .mapToDouble(r -> (double) r.dbCommits() / r.jobs())
            .sorted()
            .toArray()[rounds.size() / 2];
    double dbCpu =
        rounds.stream().mapToDouble(Round::dbCpuMicrosPerJob).sorted().toArray()[rounds.size() / 2];
    String text =
        String.format(
            """
            ## Queue throughput (no-op jobs, end to end)

            %s, %d alternating pairs of %,d jobs (%d producer, %d consumer threads); min / median /
            max. Enqueue, %d uploads per outbox transaction: one transaction queues the videos and
            writes their job rows, a pipeline of `XADD`s, the published marks in one `UPDATE`.
            Consume, batches of up to %d through `BatchConsumer`, the step the worker's
            `JobConsumer` runs every entry through (one at a time there): `XREADGROUP COUNT`, every
            lease in one conditional `UPDATE`, the lease-guarded commits in one transaction (jobs
            and videos one `UPDATE` each), one `XACK`. The
            outbox transaction is the benchmark's JDBC (the statements the API's Hibernate code
            issues, as multi-row statements; the API's one-upload path is measured alone below),
            the rest is the worker's `LettuceJobQueue`, `JobStore` and `BatchConsumer`, on MariaDB
            (`innodb_flush_log_at_trx_commit=1`) and Redis on this host. The anchor is
            `redis-benchmark` (50 clients) doing only `XADD` on the same Redis. Before the pairs,
            %d unmeasured warm-up rounds of %,d jobs (%s), so the pairs measure a warm JVM,
            as a long-running worker is.

            | what | jobs/s | anchor XADD/s | ratio | target | met |
            |---|---|---|---|---|---|
            | no-op jobs, enqueue to ack | %.0f %.0f %.0f | %.0f %.0f %.0f | %.4f %.4f %.4f | ≥ 5,000 jobs/s | %s |

            Enqueue alone (the producers' share of a round) ran at %.0f jobs/s; %.2f explicit
            `COMMIT`s per job (server-wide `Com_commit`, so other load adds to it); the benchmark's
            own JVM (producers, consumers, JDBC, Lettuce) used %.0f µs of CPU per job, the MariaDB
            server %s. Load average (1 min) at the end: %.1f on %d cores, most of it other builds
            and tests sharing the machine.

            Batching takes the round trips and commits per job well below one each; what is left
            is the work per row: every job still inserts one `jobs` row and updates it three times
            (published mark, lease, result) and its video three times, each `state` change
            rewriting the one index on `state`, all durable. Sidekiq's and BullMQ's published
            figures keep no database row per job, so the fair ceiling is the anchor, Redis alone.
            """,
            Instant.now().truncatedTo(ChronoUnit.MINUTES),
            subjects.length,
            jobs,
            producers,
            consumers,
            enqueueBatch,
            batch,
            warmUpRounds,
            jobs,
            warmUpSettled
                ? "until two in a row were within "
                    + Math.round(WARM_UP_SETTLED * 100)
                    + "% in jobs/s and in client CPU per job"
                : "stopped at the " + WARM_UP_BUDGET.toSeconds() + " s limit",
            subjects[0],
            median,
            subjects[subjects.length - 1],
            anchors[0],
            anchors[anchors.length / 2],
            anchors[anchors.length - 1],
            ratios[0],
            ratios[ratios.length / 2],
            ratios[ratios.length - 1],
            median >= TARGET_JOBS_PER_SECOND ? "yes" : "no",
            enqueue,
            commitsPerJob,
            rounds.stream()
                .mapToDouble(Round::clientCpuMicrosPerJob)
                .sorted()
                .toArray()[rounds.size() / 2],
            dbCpu < 0
                ? "not measured (not a process on this host)"
                : String.format(
                    "%.0f µs (the whole server's CPU, so other clients' work adds to it)", dbCpu),
            loadAverage(),
            Runtime.getRuntime().availableProcessors());
    if (!api.isEmpty()) {
      double[] sorted = api.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      text +=
          String.format(
              """

              The API's own enqueue path on its own (`OutboxEnqueueBenchmark`: the upload's
              transaction through Hibernate with `JobDispatcher.enqueueTranscode`, then the
              after-commit `XADD` through Redisson and the published mark; %d producer threads, no
              consumer): %.0f / %.0f / %.0f jobs/s (min / median / max of %d rounds).
              """,
              producers,
              sorted[0],
              sorted[sorted.length / 2],
              sorted[sorted.length - 1],
              sorted.length);
    }
    Files.writeString(file, text);
  }

  /** CPU time of this process so far (all threads, user and system). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU time (user and system) of the MariaDB server process on this host, from /proc; -1 when
   * there is none (a server elsewhere, or not Linux). Clock ticks are taken as 1/100 s, Linux's
   * USER_HZ.
   */
  private static long serverCpuNanos() {
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String comm = Files.readString(p.resolve("comm")).strip();
          if (comm.equals("mariadbd") || comm.equals("mysqld")) {
            String stat = Files.readString(p.resolve("stat"));
            // Fields after the command, which ends with the last ')': 14 utime, 15 stime.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
          }
        } catch (IOException | RuntimeException e) {
          // a process that ended meanwhile, or one we may not read
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  /** The 1-minute load average: other work on the machine, which these numbers share it with. */
  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  // --- plumbing ----------------------------------------------------------------------------------

  private static WorkerConfig workerConfig(String redisUrl, String namespace) {
    SmallRyeConfig c =
        new SmallRyeConfigBuilder()
            .withMapping(WorkerConfig.class)
            .withDefaultValue("capstan.redis.url", redisUrl)
            .withDefaultValue("capstan.redis.namespace", namespace)
            .withDefaultValue("capstan.s3.access-key", "unused")
            .withDefaultValue("capstan.s3.secret-key", "unused")
            .withDefaultValue("capstan.worker.block", "PT0.05S")
            .build();
    return c.getConfigMapping(WorkerConfig.class);
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      out.put(args[i].substring(2), args[i + 1]);
    }
    return out;
  }
}
