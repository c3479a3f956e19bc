package dev.capstan.worker.transcode;

import dev.capstan.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Wires the JavaCV adapter of the {@link Transcoder} port with the configured limits. */
public class TranscoderProducer {

  @Produces
  @ApplicationScoped
  Transcoder transcoder(WorkerConfig config) {
    return new JavaCvTranscoder(
        new MediaLimits(config.limits().maxPixels(), config.limits().maxDuration()));
  }
}
