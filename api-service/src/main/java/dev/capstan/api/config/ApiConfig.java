package dev.capstan.api.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Every setting of the API service, under {@code capstan.*}. */
@ConfigMapping(prefix = "capstan")
public interface ApiConfig {

  Redis redis();

  S3 s3();

  Upload upload();

  Auth auth();

  Playback playback();

  Jobs jobs();

  Storage storage();

  Share share();

  /** Public address of this installation, used in links handed to people. */
  @WithDefault("http://localhost:8080")
  URI publicBaseUrl();

  /** Redis: the job stream, and later caches and rate limits. */
  interface Redis {
    /** Redis URL, {@code redis://[:password@]host:port[/db]}. */
    @WithDefault("redis://127.0.0.1:6379")
    String url();

    /** Prefix of every key, so installations (or test runs) can share one Redis. */
    @WithDefault("capstan")
    String namespace();
  }

  /** The object store. */
  interface S3 {
    /** Endpoint of an S3-compatible store; empty means AWS S3 itself. */
    Optional<URI> endpoint();

    /** Region to sign requests for. */
    @WithDefault("us-east-1")
    String region();

    /** Bucket that holds sources and renditions. */
    @WithDefault("capstan")
    String bucket();

    /** Access key id. */
    @WithDefault("capstan")
    String accessKey();

    /** Secret access key. */
    @WithDefault("capstan-secret")
    String secretKey();

    /** Path-style addressing (MinIO, S3Proxy, most self-hosted stores). */
    @WithDefault("true")
    boolean pathStyle();

    /** Size of the parts of a streamed upload; also the most a stream holds in memory. */
    @WithDefault("8388608")
    int partSizeBytes();
  }

  /** Uploads through the API. */
  interface Upload {
    /** Largest source accepted, in bytes (413 beyond it). */
    @WithDefault("5368709120")
    long maxBytes();

    /** Lifetime of presigned part URLs of a direct upload. */
    @WithDefault("PT6H")
    Duration partUrlTtl();

    /** A direct upload not completed after this long is aborted and its parts deleted. */
    @WithDefault("PT24H")
    Duration abandonAfter();

    /** How often abandoned direct uploads are looked for. */
    @WithDefault("PT10M")
    Duration cleanupEvery();
  }

  /** Sign-up, login and sessions. */
  interface Auth {
    /** How long a session token stays valid. */
    @WithDefault("P30D")
    Duration sessionTtl();

    /** bcrypt cost factor (2^cost rounds); lower only in tests. */
    @WithDefault("12")
    int bcryptCost();
  }

  /** Watching. */
  interface Playback {
    /** Lifetime of presigned playback and download URLs. */
    @WithDefault("PT1H")
    Duration urlTtl();
  }

  /** The job outbox. */
  interface Jobs {
    /** Attempts a transcode job gets before it is dead. */
    @WithDefault("3")
    int maxAttempts();

    /** How often queued jobs missing from Redis are published again. */
    @WithDefault("PT15S")
    Duration republishEvery();

    /** A queued job unpublished for this long is published again by the sweep. */
    @WithDefault("PT10S")
    Duration republishAfter();
  }

  /** Housekeeping of the object store. */
  interface Storage {
    /** How often deleted videos' objects are removed. */
    @WithDefault("PT10S")
    Duration deletionSweepEvery();

    /** A second removal pass this long after the first catches a worker's late writes. */
    @WithDefault("PT15M")
    Duration deletionSecondPassAfter();
  }

  /** Share links. */
  interface Share {
    /** Random bytes in a share code (12 bytes = 96 bits, 16 URL-safe characters). */
    @WithDefault("12")
    int codeBytes();
  }
}
