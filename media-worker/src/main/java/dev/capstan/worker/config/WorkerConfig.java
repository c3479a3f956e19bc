package dev.capstan.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Everything the media worker reads from configuration, under {@code capstan.*}. */
@ConfigMapping(prefix = "capstan")
public interface WorkerConfig {

  Redis redis();

  S3 s3();

  Worker worker();

  Limits limits();

  /** The Redis that carries the job stream. */
  interface Redis {
    /** Redis URL, e.g. {@code redis://:password@host:6379/0}. */
    @WithDefault("redis://127.0.0.1:6379")
    String url();

    /** Prefix of every key, shared with the API so both find the same streams. */
    @WithDefault("capstan")
    String namespace();
  }

  /** The bucket that holds sources and renditions. */
  interface S3 {
    /** Endpoint of an S3-compatible store (MinIO, R2, the embedded S3); empty means AWS. */
    Optional<URI> endpoint();

    /** Region used for signing. */
    @WithDefault("us-east-1")
    String region();

    /** Bucket name. */
    @WithDefault("capstan")
    String bucket();

    /** Access key id. */
    String accessKey();

    /** Secret access key. */
    String secretKey();

    /** Path-style addressing ({@code endpoint/bucket/key}), needed by most S3-compatible stores. */
    @WithDefault("true")
    boolean pathStyle();
  }

  /** How this worker takes and keeps jobs. */
  interface Worker {
    /** Consumer name in the group and lease owner in the database; hostname + pid when absent. */
    Optional<String> id();

    /** Whether the consumer loop runs; tests of single components switch it off. */
    @WithDefault("true")
    boolean enabled();

    /** How long a lease on a job lasts without a heartbeat before another worker may take it. */
    @WithDefault("PT60S")
    Duration lease();

    /** How often the lease is renewed while a job runs; well under {@link #lease()}. */
    @WithDefault("PT10S")
    Duration heartbeat();

    /**
     * Entries delivered to some consumer but not acknowledged for this long are taken over (their
     * worker died between reading and finishing); the job row then decides whether work is left.
     */
    @WithDefault("PT2M")
    Duration reclaimIdle();

    /**
     * Of every this many jobs a worker takes while both lanes have work, at least one comes from
     * the long lane (so short jobs go first, but long ones never starve).
     */
    @WithDefault("3")
    int longLaneEvery();

    /**
     * How often the worker's heartbeat in the registry is rewritten (its TTL is three times it).
     */
    @WithDefault("PT5S")
    Duration registryEvery();

    /** How long one XREADGROUP blocks waiting for a job. */
    @WithDefault("PT2S")
    Duration block();

    /**
     * Where sources and outputs are staged while a job runs (one folder per job, removed after).
     */
    @WithDefault("${java.io.tmpdir}")
    Path workDir();

    /**
     * How often a running transcode's HLS folder is scanned for segments the muxers closed, which
     * are then published (the video is playable once the first is in the store).
     */
    @WithDefault("PT0.2S")
    Duration publishEvery();

    /**
     * Threads of one transcode, shared among its decoder and its encoders (each encoder runs on a
     * thread of its own, with at least one); 0 means one per core.
     */
    @WithDefault("0")
    int threads();

    /**
     * A transcode whose position in the source does not advance for this long, or a source download
     * that brings no byte for this long, is aborted and the job failed for a retry.
     */
    @WithDefault("PT60S")
    Duration stallTimeout();

    /** Splitting one long video across the fleet (a flow of chunk jobs). */
    Chunking chunking();
  }

  /**
   * When and how a long source is encoded by many workers at once: the worker that takes its job
   * probes it, writes one chunk job per range of the video, encodes the audio, poster and
   * storyboard itself, and whichever worker finishes the last chunk assembles the result.
   */
  interface Chunking {
    /** Whether long sources are split into chunk jobs at all. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Sources at least this long are split; shorter ones are one job (a chunk's fixed costs, its
     * download, seek and encoder start, are not worth paying for a short video).
     */
    @WithDefault("PT3M")
    Duration minDuration();

    /**
     * Length of a chunk in whole HLS segments of 4 s (default 15: one minute). The last chunk takes
     * what is left, up to one and a half chunks.
     */
    @WithDefault("15")
    int segmentsPerChunk();
  }

  /** Sources beyond these limits are rejected from the probe, before any decoding. */
  interface Limits {
    /** Largest frame, width × height in pixels, coded or displayed (default 4096x2304). */
    @WithDefault("9437184")
    long maxPixels();

    /** Longest duration. */
    @WithDefault("PT4H")
    Duration maxDuration();

    /** Highest average frame rate. */
    @WithDefault("240")
    double maxFps();

    /** Largest source file in bytes (default 20 GiB). */
    @WithDefault("21474836480")
    long maxFileBytes();
  }
}
