package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;

import jakarta.enterprise.context.ApplicationScoped;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacpp.Loader;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when FFmpeg's native libraries load on this machine and carry the H.264 encoder: a
 * worker without them would fail every job.
 */
@Readiness
@ApplicationScoped
public class FfmpegHealthCheck implements HealthCheck {

  @Override
  public HealthCheckResponse call() {
    try {
      Loader.load(avcodec.class);
      boolean x264 = avcodec_find_encoder_by_name("libx264") != null;
      return HealthCheckResponse.named("ffmpeg").status(x264).withData("libx264", x264).build();
    } catch (Throwable e) {
      // UnsatisfiedLinkError is an Error: exactly what this check exists to report.
      return HealthCheckResponse.named("ffmpeg")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
