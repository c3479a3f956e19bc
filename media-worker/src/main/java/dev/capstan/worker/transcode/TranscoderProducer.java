package dev.capstan.worker.transcode;

import dev.capstan.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Wires the JavaCV adapter of the {@link Transcoder} port with the configured limits. */
public class TranscoderProducer {

  @Produces
  @ApplicationScoped
  Transcoder transcoder(WorkerConfig config) {
    WorkerConfig.Limits limits = config.limits();
    return new JavaCvTranscoder(
        new TranscodeOptions(
            new MediaLimits(
                limits.maxPixels(), limits.maxDuration(), limits.maxFps(), limits.maxFileBytes()),
            config.worker().threads(),
            config.worker().stallTimeout()));
  }
}
