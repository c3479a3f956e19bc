package dev.capstan.worker.job;

import static dev.capstan.worker.testing.WorkerFixtures.job;
import static dev.capstan.worker.testing.WorkerFixtures.leaseTo;
import static dev.capstan.worker.testing.WorkerFixtures.rows;
import static dev.capstan.worker.testing.WorkerFixtures.seedQueuedVideo;
import static dev.capstan.worker.testing.WorkerFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.worker.job.JobStore.Claim;
import dev.capstan.worker.job.JobStore.Completion;
import dev.capstan.worker.job.JobStore.JobRef;
import dev.capstan.worker.testing.WorkerFixtures;
import dev.capstan.worker.testing.WorkerFixtures.Seeded;
import dev.capstan.worker.testing.WorkerTestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The batch paths of {@link JobStore} on the real database: leases taken for many jobs in one
 * transaction and successes recorded in one, each still conditional on its lease.
 */
@QuarkusTest
@WithTestResource(WorkerTestServices.class)
class JobStoreBatchIT {
  private static final Duration LEASE = Duration.ofMinutes(1);
  private static final JobStore.Success NOTHING_MADE =
      new JobStore.Success("videos/x/1/", 2.5, 320, 180, 30.0, true, List.of());

  @Inject JobStore store;

  @Test
  void a_batch_claim_takes_the_free_jobs_and_leaves_those_another_worker_holds() throws Exception {
    List<Seeded> seeded = seed(5);
    leaseTo(seeded.get(1), "the-other-worker", 10);
    leaseTo(seeded.get(3), "the-other-worker", 10);

    List<Claim> claims = store.claimAll(refs(seeded), "batch-worker", LEASE);

    assertThat(claims)
        .extracting(c -> c.getClass().getSimpleName())
        .containsExactly("Taken", "NotAvailable", "Taken", "NotAvailable", "Taken");
    for (int i : List.of(0, 2, 4)) {
      assertThat(job(seeded.get(i).jobId()).get("lease_owner")).isEqualTo("batch-worker");
      assertThat(job(seeded.get(i).jobId()).get("state")).isEqualTo("RUNNING");
      assertThat(video(seeded.get(i).videoId()).get("status")).isEqualTo("processing");
    }
    for (int i : List.of(1, 3)) {
      assertThat(job(seeded.get(i).jobId()).get("lease_owner")).isEqualTo("the-other-worker");
      assertThat(video(seeded.get(i).videoId()).get("status")).isEqualTo("queued");
    }
  }

  @Test
  void a_batch_claim_kills_the_job_of_a_failed_video_takes_the_rest_and_skips_a_second_ask()
      throws Exception {
    List<Seeded> seeded = seed(3);
    WorkerFixtures.execute(
        "UPDATE videos SET status = 'failed' WHERE id = ?", seeded.get(0).videoId());
    List<JobRef> asked = new ArrayList<>(refs(seeded));
    asked.add(asked.get(2));
    JobRef otherAttempt = new JobRef(seeded.get(1).jobId(), seeded.get(1).videoId(), 2);
    asked.add(otherAttempt);

    List<Claim> claims = store.claimAll(asked, "batch-worker", LEASE);

    assertThat(claims.get(0)).isInstanceOf(Claim.Refused.class);
    assertThat(((Claim.Refused) claims.get(0)).why()).contains("video is failed");
    assertThat(job(seeded.get(0).jobId()).get("state")).isEqualTo("DEAD");
    assertThat(claims.get(1)).isInstanceOf(Claim.Taken.class);
    assertThat(claims.get(2)).isInstanceOf(Claim.Taken.class);
    // The same job asked twice in one batch runs once; an attempt that is not queued not at all.
    assertThat(claims.get(3)).isInstanceOf(Claim.NotAvailable.class);
    assertThat(claims.get(4)).isInstanceOf(Claim.NotAvailable.class);
  }

  @Test
  void a_grouped_commit_where_one_lease_was_lost_commits_the_others_and_not_that_one()
      throws Exception {
    List<Seeded> seeded = seed(3);
    List<Claim> claims = store.claimAll(refs(seeded), "batch-worker", LEASE);
    List<Completion> done = new ArrayList<>();
    for (Claim c : claims) {
      done.add(new Completion(((Claim.Taken) c).lease(), NOTHING_MADE));
    }
    // The middle job's lease passed to another worker while ours ran it.
    WorkerFixtures.execute(
        "UPDATE jobs SET lease_owner = 'the-other-worker' WHERE id = ?", seeded.get(1).jobId());

    assertThat(store.recordSuccesses(done)).containsExactly(true, false, true);

    for (int i : List.of(0, 2)) {
      assertThat(job(seeded.get(i).jobId()).get("state")).isEqualTo("SUCCEEDED");
      assertThat(job(seeded.get(i).jobId()).get("lease_owner")).isNull();
      assertThat(video(seeded.get(i).videoId()).get("status")).isEqualTo("ready");
      assertThat(video(seeded.get(i).videoId()).get("output_prefix")).isEqualTo("videos/x/1/");
    }
    assertThat(job(seeded.get(1).jobId()).get("state")).isEqualTo("RUNNING");
    assertThat(job(seeded.get(1).jobId()).get("lease_owner")).isEqualTo("the-other-worker");
    assertThat(video(seeded.get(1).videoId()).get("status")).isEqualTo("processing");
  }

  @Test
  void a_grouped_commit_records_each_jobs_renditions_under_its_own_video() throws Exception {
    List<Seeded> seeded = seed(2);
    List<Completion> done = new ArrayList<>();
    List<Claim> claims = store.claimAll(refs(seeded), "batch-worker", LEASE);
    for (int i = 0; i < 2; i++) {
      String prefix = "videos/" + seeded.get(i).videoId() + "/1/";
      done.add(
          new Completion(
              ((Claim.Taken) claims.get(i)).lease(),
              new JobStore.Success(
                  prefix,
                  1.0 + i,
                  320 + i,
                  180 + i,
                  30.0 - i,
                  i == 1,
                  List.of(
                      new JobStore.RenditionRow(
                          "mp4", "180p", 320, 180, 300, "avc1", prefix + "180p.mp4", 1000 + i)))));
    }

    assertThat(store.recordSuccesses(done)).containsExactly(true, true);

    for (int i = 0; i < 2; i++) {
      String videoId = seeded.get(i).videoId();
      long size = 1000 + i;
      Map<String, Object> v = video(videoId);
      assertThat(v.get("status")).isEqualTo("ready");
      assertThat(v.get("output_prefix")).isEqualTo("videos/" + videoId + "/1/");
      assertThat(((Number) v.get("duration_seconds")).doubleValue()).isEqualTo(1.0 + i);
      assertThat(((Number) v.get("width")).intValue()).isEqualTo(320 + i);
      assertThat(((Number) v.get("height")).intValue()).isEqualTo(180 + i);
      assertThat(((Number) v.get("fps")).doubleValue()).isEqualTo(30.0 - i);
      Object audio = v.get("has_audio");
      boolean hasAudio = audio instanceof Boolean b ? b : ((Number) audio).intValue() == 1;
      assertThat(hasAudio).isEqualTo(i == 1);
      assertThat(rows("SELECT s3_key, size_bytes FROM renditions WHERE video_id = ?", videoId))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.get("s3_key")).isEqualTo("videos/" + videoId + "/1/180p.mp4");
                assertThat(((Number) r.get("size_bytes")).longValue()).isEqualTo(size);
              });
    }
  }

  @Test
  void published_marks_of_a_batch_land_on_their_own_rows_and_only_on_queued_rows_of_that_attempt()
      throws Exception {
    List<Seeded> seeded = seed(3);
    leaseTo(seeded.get(2), "the-other-worker", 10);

    store.recordPublished(
        List.of(
            new JobStore.Publication(seeded.get(0).jobId(), 1, "1-1"),
            new JobStore.Publication(seeded.get(1).jobId(), 2, "1-2"),
            new JobStore.Publication(seeded.get(2).jobId(), 1, "1-3")));

    assertThat(job(seeded.get(0).jobId()).get("stream_entry_id")).isEqualTo("1-1");
    assertThat(job(seeded.get(0).jobId()).get("published_at")).isNotNull();
    // Of another attempt, or no longer queued: left alone.
    assertThat(job(seeded.get(1).jobId()).get("stream_entry_id")).isNull();
    assertThat(job(seeded.get(2).jobId()).get("stream_entry_id")).isNull();
  }

  @Test
  void two_workers_claiming_overlapping_batches_in_opposite_orders_share_them_without_overlap()
      throws Exception {
    List<Seeded> seeded = seed(30);
    List<JobRef> forward = refs(seeded);
    List<JobRef> backward = new ArrayList<>(forward);
    Collections.reverse(backward);
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<List<Claim>> a =
          pool.submit(
              () -> {
                start.await(10, TimeUnit.SECONDS);
                return store.claimAll(forward, "worker-a", LEASE);
              });
      Future<List<Claim>> b =
          pool.submit(
              () -> {
                start.await(10, TimeUnit.SECONDS);
                return store.claimAll(backward, "worker-b", LEASE);
              });
      Set<String> taken = new HashSet<>();
      int takenTimes = 0;
      // Neither batch fails on a deadlock: both lock rows in key order.
      for (Claim c : concat(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS))) {
        if (c instanceof Claim.Taken t) {
          taken.add(t.lease().jobId());
          takenTimes++;
        }
      }
      assertThat(takenTimes).isEqualTo(30);
      assertThat(taken).hasSize(30);
      for (Seeded s : seeded) {
        assertThat(job(s.jobId()).get("lease_owner")).isIn("worker-a", "worker-b");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Seeded> seed(int n) throws Exception {
    List<Seeded> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(seedQueuedVideo());
    }
    return out;
  }

  private static List<JobRef> refs(List<Seeded> seeded) {
    return seeded.stream().map(s -> new JobRef(s.jobId(), s.videoId(), s.attempt())).toList();
  }

  private static List<Claim> concat(List<Claim> a, List<Claim> b) {
    List<Claim> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
