package dev.capstan.worker.transcode;

import dev.capstan.worker.config.WorkerConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the JavaCV adapter of the {@link Transcoder} port with the configured limits. */
public class TranscoderProducer {

  @Produces
  @Singleton
  Transcoder transcoder(WorkerConfig config) {
    return new JavaCvTranscoder(
        new MediaLimits(config.limits().maxPixels(), config.limits().maxDuration()));
  }
}
