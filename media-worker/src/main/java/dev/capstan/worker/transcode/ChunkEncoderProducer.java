package dev.capstan.worker.transcode;

import dev.capstan.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Wires the {@link ChunkEncoder} with the same options as the single-job transcoder. */
public class ChunkEncoderProducer {

  @Produces
  @ApplicationScoped
  ChunkEncoder chunkEncoder(WorkerConfig config) {
    WorkerConfig.Limits limits = config.limits();
    return new ChunkEncoder(
        new TranscodeOptions(
            new MediaLimits(
                limits.maxPixels(), limits.maxDuration(), limits.maxFps(), limits.maxFileBytes()),
            config.worker().threads(),
            config.worker().stallTimeout()));
  }
}
