package dev.capstan.worker.job;

import static dev.capstan.worker.testing.WorkerFixtures.job;
import static dev.capstan.worker.testing.WorkerFixtures.rows;
import static dev.capstan.worker.testing.WorkerFixtures.seedQueuedVideo;
import static dev.capstan.worker.testing.WorkerFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.job.TranscodeJobProcessor.Outcome;
import dev.capstan.worker.testing.WorkerFixtures;
import dev.capstan.worker.testing.WorkerFixtures.Seeded;
import dev.capstan.worker.testing.WorkerTestServices;
import dev.capstan.worker.transcode.SourceMedia;
import dev.capstan.worker.transcode.TranscodeListener;
import dev.capstan.worker.transcode.TranscodeResult;
import dev.capstan.worker.transcode.TranscodeStopped;
import dev.capstan.worker.transcode.Transcoder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What happens to a job while it runs, on the real database and S3. The media engine is replaced by
 * a transcode that runs until it is told to stop, so the test decides when things happen.
 */
@QuarkusTest
@WithTestResource(WorkerTestServices.class)
class TranscodeJobProcessorIT {

  @Inject TranscodeJobProcessor processor;
  @Inject ObjectStore objects;

  private final EndlessTranscode endless = new EndlessTranscode();

  @BeforeEach
  void replaceTheMediaEngine() {
    QuarkusMock.installMockForType(endless, Transcoder.class);
  }

  @Test
  void a_worker_that_loses_its_lease_mid_transcode_stops_and_writes_nothing() throws Exception {
    Seeded s = seedWithSomeSource();
    CompletableFuture<TranscodeJobProcessor.Result> running =
        CompletableFuture.supplyAsync(() -> process(s, () -> false));
    assertThat(endless.started.await(30, TimeUnit.SECONDS)).isTrue();

    // Another worker takes the job over (as if our heartbeats had stopped reaching the database).
    WorkerFixtures.execute(
        "UPDATE jobs SET lease_owner = 'the-other-worker', lease_expires_at = ? WHERE id = ?",
        LocalDateTime.now(ZoneOffset.UTC).plusMinutes(10),
        s.jobId());

    assertThat(running.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.LEASE_LOST);
    Map<String, Object> job = job(s.jobId());
    assertThat(job.get("state")).isEqualTo("RUNNING");
    assertThat(job.get("lease_owner")).isEqualTo("the-other-worker");
    Map<String, Object> video = video(s.videoId());
    assertThat(video.get("status")).isEqualTo("processing");
    assertThat(video.get("error_code")).isNull();
    assertThat(rows("SELECT id FROM renditions WHERE video_id = ?", s.videoId())).isEmpty();
  }

  @Test
  void a_draining_worker_hands_its_job_back_queued_for_another_worker() throws Exception {
    Seeded s = seedWithSomeSource();
    AtomicBoolean draining = new AtomicBoolean();
    CompletableFuture<TranscodeJobProcessor.Result> running =
        CompletableFuture.supplyAsync(() -> process(s, draining::get));
    assertThat(endless.started.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(video(s.videoId()).get("status")).isEqualTo("processing");

    draining.set(true);

    assertThat(running.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.HANDED_BACK);
    Map<String, Object> job = job(s.jobId());
    assertThat(job.get("state")).isEqualTo("QUEUED");
    assertThat(job.get("lease_owner")).isNull();
    assertThat(job.get("lease_expires_at")).isNull();
    assertThat(video(s.videoId()).get("status")).isEqualTo("queued");
  }

  @Test
  void a_job_already_running_under_a_live_lease_is_skipped_without_a_trace() throws Exception {
    Seeded s = seedWithSomeSource();
    WorkerFixtures.leaseTo(s, "the-other-worker", 10);

    assertThat(process(s, () -> false).outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(endless.started.getCount()).isEqualTo(1);
    assertThat(video(s.videoId()).get("status")).isEqualTo("queued");
  }

  private TranscodeJobProcessor.Result process(Seeded s, java.util.function.BooleanSupplier drain) {
    try {
      return processor.process(s.job(), "processor-test", drain);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Seeded seedWithSomeSource() throws Exception {
    Seeded s = seedQueuedVideo();
    objects.putStream(
        S3Keys.source(s.videoId()), new ByteArrayInputStream(new byte[] {1, 2, 3}), "video/mp4");
    return s;
  }

  /** A transcode that never finishes on its own: it runs until the listener says stop. */
  static final class EndlessTranscode implements Transcoder {
    final CountDownLatch started = new CountDownLatch(1);

    @Override
    public SourceMedia probe(Path source) {
      return new SourceMedia(
          "mp4", 600, 1280, 720, new Dimensions(1280, 720), 0, 30, "h264", "aac");
    }

    @Override
    public TranscodeResult transcode(
        Path source, SourceMedia media, Path outputDir, TranscodeListener listener) {
      started.countDown();
      long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < giveUpAt) {
        if (listener.shouldStop()) {
          throw new TranscodeStopped("asked to stop");
        }
        listener.progress(0.5);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      throw new AssertionError("the transcode was never asked to stop");
    }
  }
}
