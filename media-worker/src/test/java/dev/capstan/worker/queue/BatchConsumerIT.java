package dev.capstan.worker.queue;

import static dev.capstan.worker.testing.WorkerFixtures.job;
import static dev.capstan.worker.testing.WorkerFixtures.leaseTo;
import static dev.capstan.worker.testing.WorkerFixtures.seedQueuedVideo;
import static dev.capstan.worker.testing.WorkerFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.job.JobStore;
import dev.capstan.worker.job.TranscodeJobProcessor.Outcome;
import dev.capstan.worker.job.TranscodeJobProcessor.Result;
import dev.capstan.worker.redis.WorkerRedis;
import dev.capstan.worker.testing.WorkerFixtures.Seeded;
import dev.capstan.worker.testing.WorkerTestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchConsumer} on real Redis streams and the real database: a batch read with {@code
 * XREADGROUP COUNT}, leased in one transaction, committed in one, acknowledged in one {@code XACK}.
 * The streams live in a namespace of this test's own, so the worker's running consumer loop never
 * sees them.
 */
@QuarkusTest
@WithTestResource(WorkerTestServices.class)
class BatchConsumerIT {
  private static final List<JobLane> LANES = List.of(JobLane.SHORT, JobLane.LONG);
  private static final JobStore.Success NOTHING_MADE =
      new JobStore.Success("videos/x/1/", 1.0, 320, 180, 30.0, false, List.of());
  private static final BatchConsumer.Work NO_OP =
      (entry, job, lease) -> new BatchConsumer.Done.Succeeded(NOTHING_MADE);

  @Inject JobStore store;

  private String namespace;
  private WorkerRedis redis;
  private LettuceJobQueue queue;

  @BeforeEach
  void privateStreams() {
    namespace = "capstan-test-batch-" + UUID.randomUUID();
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(WorkerConfig.class)
            .withDefaultValue("capstan.redis.url", WorkerTestServices.services().redisUrl())
            .withDefaultValue("capstan.redis.namespace", namespace)
            .withDefaultValue("capstan.s3.access-key", "unused")
            .withDefaultValue("capstan.s3.secret-key", "unused")
            .build();
    redis = new WorkerRedis(config.getConfigMapping(WorkerConfig.class));
    queue = new LettuceJobQueue(redis, config.getConfigMapping(WorkerConfig.class));
    queue.ensureGroup();
  }

  @AfterEach
  void removeStreams() {
    List<String> keys = redis.commands().keys(namespace + ":*");
    if (!keys.isEmpty()) {
      redis.commands().del(keys.toArray(String[]::new));
    }
    redis.close();
  }

  @Test
  void a_batch_runs_only_the_jobs_no_other_worker_holds_and_acknowledges_every_entry()
      throws Exception {
    List<Seeded> seeded = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seeded.add(seedQueuedVideo());
    }
    leaseTo(seeded.get(0), "the-other-worker", 10);
    leaseTo(seeded.get(4), "the-other-worker", 10);
    List<String> ids = queue.requeue(seeded.stream().map(BatchConsumerIT::entry).toList());
    assertThat(ids).hasSize(6).doesNotHaveDuplicates();
    List<String> ran = new CopyOnWriteArrayList<>();
    BatchConsumer consumer = new BatchConsumer(queue, store, "batch-worker", Duration.ofMinutes(1));

    List<BatchConsumer.Handled> handled =
        consumer.runOnce(
            Duration.ofMillis(100),
            LANES,
            10,
            (entry, job, lease) -> {
              ran.add(job.jobId());
              return new BatchConsumer.Done.Succeeded(NOTHING_MADE);
            });

    assertThat(outcomes(handled)).isEqualTo(Map.of(Outcome.SUCCEEDED, 4L, Outcome.SKIPPED, 2L));
    assertThat(ran)
        .containsExactlyInAnyOrder(
            seeded.get(1).jobId(),
            seeded.get(2).jobId(),
            seeded.get(3).jobId(),
            seeded.get(5).jobId());
    for (int i : List.of(1, 2, 3, 5)) {
      assertThat(job(seeded.get(i).jobId()).get("state")).isEqualTo("SUCCEEDED");
      assertThat(video(seeded.get(i).videoId()).get("status")).isEqualTo("ready");
    }
    for (int i : List.of(0, 4)) {
      assertThat(job(seeded.get(i).jobId()).get("state")).isEqualTo("RUNNING");
      assertThat(job(seeded.get(i).jobId()).get("lease_owner")).isEqualTo("the-other-worker");
      assertThat(video(seeded.get(i).videoId()).get("status")).isEqualTo("queued");
    }
    assertThat(pending()).isZero();
  }

  @Test
  void a_batch_reads_no_more_than_asked_and_leaves_the_rest_for_the_next_read() throws Exception {
    List<Seeded> seeded = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      seeded.add(seedQueuedVideo());
    }
    queue.requeue(seeded.stream().map(BatchConsumerIT::entry).toList());
    BatchConsumer consumer = new BatchConsumer(queue, store, "batch-worker", Duration.ofMinutes(1));

    List<BatchConsumer.Handled> first = consumer.runOnce(Duration.ofMillis(100), LANES, 3, NO_OP);
    assertThat(outcomes(first)).isEqualTo(Map.of(Outcome.SUCCEEDED, 3L));
    List<BatchConsumer.Handled> second = consumer.runOnce(Duration.ofMillis(100), LANES, 3, NO_OP);
    assertThat(outcomes(second)).isEqualTo(Map.of(Outcome.SUCCEEDED, 2L));
    for (Seeded s : seeded) {
      assertThat(job(s.jobId()).get("state")).isEqualTo("SUCCEEDED");
    }
    assertThat(pending()).isZero();
  }

  @Test
  void a_malformed_entry_and_a_failing_job_do_not_stop_the_rest_of_the_batch() throws Exception {
    Seeded good = seedQueuedVideo();
    Seeded failing = seedQueuedVideo();
    List<JobQueue.Entry> entries = new ArrayList<>();
    entries.add(
        new JobQueue.Entry(
            JobLane.SHORT,
            null,
            Map.of(
                JobMessage.FIELD_KIND,
                JobKinds.TRANSCODE.kind(),
                JobMessage.FIELD_PAYLOAD,
                "{not json")));
    entries.add(entry(failing));
    entries.add(entry(good));
    queue.requeue(entries);
    BatchConsumer consumer = new BatchConsumer(queue, store, "batch-worker", Duration.ofMinutes(1));

    List<BatchConsumer.Handled> handled =
        consumer.runOnce(
            Duration.ofMillis(100),
            LANES,
            10,
            (entry, job, lease) -> {
              if (job.jobId().equals(failing.jobId())) {
                throw new IllegalStateException("the store went away");
              }
              return new BatchConsumer.Done.Succeeded(NOTHING_MADE);
            });

    assertThat(outcomes(handled))
        .isEqualTo(Map.of(Outcome.SUCCEEDED, 1L, Outcome.FAILED, 1L, Outcome.DEAD, 1L));
    assertThat(job(good.jobId()).get("state")).isEqualTo("SUCCEEDED");
    assertThat(job(failing.jobId()).get("state")).isEqualTo("FAILED");
    assertThat(video(failing.videoId()).get("status")).isEqualTo("queued");
    assertThat(redis.commands().xlen(QueueNames.deadLetterStream(namespace))).isEqualTo(1);
    assertThat(pending()).isZero();
  }

  @Test
  void a_handed_back_job_gets_a_fresh_entry_and_its_read_entry_is_acknowledged() throws Exception {
    Seeded seeded = seedQueuedVideo();
    String first = queue.requeue(List.of(entry(seeded))).get(0);
    BatchConsumer consumer = new BatchConsumer(queue, store, "batch-worker", Duration.ofMinutes(1));

    List<BatchConsumer.Handled> handled =
        consumer.runOnce(
            Duration.ofMillis(100),
            LANES,
            10,
            (entry, job, lease) -> {
              assertThat(store.handBack(lease)).isTrue();
              return new BatchConsumer.Done.Ended(new Result(Outcome.HANDED_BACK, null));
            });

    assertThat(outcomes(handled)).isEqualTo(Map.of(Outcome.HANDED_BACK, 1L));
    assertThat(pending()).isZero();
    Map<String, Object> row = job(seeded.jobId());
    assertThat(row.get("state")).isEqualTo("QUEUED");
    assertThat(row.get("stream_entry_id")).isNotNull().isNotEqualTo(first);
    List<BatchConsumer.Handled> again = consumer.runOnce(Duration.ofMillis(100), LANES, 10, NO_OP);
    assertThat(again)
        .extracting(h -> h.entry().id())
        .containsExactly((String) row.get("stream_entry_id"));
    assertThat(outcomes(again)).isEqualTo(Map.of(Outcome.SUCCEEDED, 1L));
  }

  private static Map<Outcome, Long> outcomes(List<BatchConsumer.Handled> handled) {
    return handled.stream()
        .collect(Collectors.groupingBy(BatchConsumer.Handled::outcome, Collectors.counting()));
  }

  private long pending() {
    return redis
        .commands()
        .xpending(queue.stream(JobLane.SHORT), QueueNames.WORKER_GROUP)
        .getCount();
  }

  private static JobQueue.Entry entry(Seeded s) {
    TranscodeJob job = s.job();
    return new JobQueue.Entry(
        JobLane.SHORT, null, JobMessage.encode(JobKinds.TRANSCODE, job.jobId(), job));
  }
}
