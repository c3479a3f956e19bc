package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.devtools.media.SampleClips.Spec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every encoder of a transcode on a thread of its own (EncoderFanOut), on the real FFmpeg: a
 * failing encoder, a stop request, and the picture copies the encoders share.
 */
class EncoderFanOutIT {
  private static final MediaLimits LIMITS = new MediaLimits(4096L * 2304, Duration.ofHours(4));

  @TempDir Path work;

  private final JavaCvTranscoder transcoder =
      new JavaCvTranscoder(new TranscodeOptions(LIMITS, 2, Duration.ofSeconds(30)));

  @Test
  void an_encoder_failing_part_way_fails_with_its_output_and_ffmpegs_reason_and_stops_the_others()
      throws Exception {
    // File outputs fail when opened, or not at all (the HLS muxer logs and goes on); a stream
    // whose reader hangs up fails part way, as a full disk would. The transcoder hands the
    // exception on as it is.
    Path clip = SampleClips.generate(Spec.standard(4), work.resolve("four-seconds.mp4"));
    int[] fed = {0};
    Throwable thrown;
    try (ServerSocket sink = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try (Socket s = sink.accept();
                    InputStream in = s.getInputStream()) {
                  in.readNBytes(32 * 1024); // then hangs up
                } catch (IOException e) {
                  // the test fails on its assertions instead
                }
              });
      EncoderFanOut encoders = new EncoderFanOut(Duration.ofSeconds(30), () -> false);
      try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(clip.toFile())) {
        FFmpegFrameRecorder good = h264(work.resolve("good.mp4").toString(), "mp4");
        encoders.add("good.mp4", good, true, false);
        FFmpegFrameRecorder cut = h264("tcp://127.0.0.1:" + sink.getLocalPort(), "mpegts");
        encoders.add("cut.ts", cut, true, false);
        good.start();
        cut.start();
        grabber.setPixelFormat(AV_PIX_FMT_YUV420P);
        grabber.start();
        thrown =
            catchThrowable(
                () -> {
                  Frame picture;
                  while ((picture = grabber.grabImage()) != null) {
                    encoders.picture(picture, AV_PIX_FMT_YUV420P);
                    fed[0]++;
                  }
                  encoders.finish();
                });
      } finally {
        encoders.close();
      }
    }

    assertThat(thrown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("encoding cut.ts failed: ")
        .hasMessageMatching("(?s).*error -\\d+.*\\(.+\\)");
    assertThat(fed[0]).as("pictures handed on before the failure").isGreaterThan(10);
    assertThat(encoderThreads()).isEmpty();
  }

  @Test
  void a_stop_request_part_way_stops_every_encoder() throws Exception {
    Path clip = SampleClips.generate(Spec.standard(6), work.resolve("six-seconds.mp4"));
    SourceMedia media = transcoder.probe(clip);
    AtomicBoolean stop = new AtomicBoolean();
    List<Double> progress = new CopyOnWriteArrayList<>();

    assertThatThrownBy(
            () ->
                transcoder.transcode(
                    clip,
                    media,
                    work.resolve("out"),
                    listener(
                        p -> {
                          progress.add(p);
                          stop.compareAndSet(false, p > 0.3);
                        },
                        stop::get)))
        .isInstanceOf(TranscodeStopped.class);
    assertThat(progress).as("it had started").anyMatch(p -> p > 0.3);
    assertThat(progress).as("and did not reach the end").noneMatch(p -> p >= 1.0);
    assertThat(encoderThreads()).isEmpty();
  }

  @Test
  void a_finished_transcode_leaves_no_encoder_running() throws Exception {
    Path clip = SampleClips.generate(Spec.standard(1), work.resolve("one-second.mp4"));

    transcoder.transcode(clip, transcoder.probe(clip), work.resolve("out"), TranscodeListener.NONE);

    assertThat(encoderThreads()).isEmpty();
  }

  @Test
  void a_picture_whose_decoded_rows_are_padded_keeps_its_colours() throws Exception {
    // 360 px rows are padded to 384 bytes by the decoder: the copy must follow each plane's
    // stride, or the colour planes come out shifted.
    Path clip = work.resolve("red-360x200.mp4");
    SampleClips.ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=c=0xC02020:size=360x200:rate=30",
        "-t",
        "1",
        "-c:v",
        "mpeg4",
        "-q:v",
        "2",
        clip.toString());

    TranscodeResult result =
        transcoder.transcode(
            clip, transcoder.probe(clip), work.resolve("out"), TranscodeListener.NONE);

    double[] rgb = meanColour(frameAt(result.download().path(), 500_000));
    assertThat(rgb[0]).as("red").isCloseTo(0xC0, within(16.0));
    assertThat(rgb[1]).as("green").isCloseTo(0x20, within(16.0));
    assertThat(rgb[2]).as("blue").isCloseTo(0x20, within(16.0));
  }

  private static FFmpegFrameRecorder h264(String url, String format) {
    FFmpegFrameRecorder r = new FFmpegFrameRecorder(url, 320, 180, 0);
    r.setFormat(format);
    r.setVideoCodecName("libx264");
    r.setPixelFormat(AV_PIX_FMT_YUV420P);
    r.setFrameRate(30);
    r.setVideoOption("threads", "1");
    r.setVideoOption("preset", "veryfast");
    r.setVideoOption("crf", "23");
    return r;
  }

  private static List<String> encoderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith(EncoderFanOut.THREAD_PREFIX))
        .toList();
  }

  private static TranscodeListener listener(DoubleConsumer progress, BooleanSupplier stop) {
    return new TranscodeListener() {
      @Override
      public void progress(double fraction) {
        progress.accept(fraction);
      }

      @Override
      public boolean shouldStop() {
        return stop.getAsBoolean();
      }
    };
  }

  private static BufferedImage frameAt(Path file, long micros) throws Exception {
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        Java2DFrameConverter c = new Java2DFrameConverter()) {
      g.start();
      g.setTimestamp(micros);
      BufferedImage img = c.getBufferedImage(g.grabImage());
      BufferedImage copy =
          new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
      copy.getGraphics().drawImage(img, 0, 0, null);
      return copy;
    }
  }

  /** Mean red, green and blue over the whole picture. */
  private static double[] meanColour(BufferedImage img) {
    double[] sum = new double[3];
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int p = img.getRGB(x, y);
        sum[0] += (p >> 16) & 0xff;
        sum[1] += (p >> 8) & 0xff;
        sum[2] += p & 0xff;
      }
    }
    int n = img.getWidth() * img.getHeight();
    return new double[] {sum[0] / n, sum[1] / n, sum[2] / n};
  }
}
