package dev.capstan.api.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
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

  Admin admin();

  Storage storage();

  Share share();

  /** Per-user rate limits, shared by all API instances (they count in Redis). */
  RateLimits rateLimits();

  Webhooks webhooks();

  Cache cache();

  /** The database: read-replica routing (the connections are under {@code quarkus.datasource}). */
  Db db();

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

  /** The job outbox, its reconciler and the retry policy. */
  interface Jobs {
    /** Attempts a transcode job gets before it is dead (a manual retry grants as many again). */
    @WithDefault("3")
    int maxAttempts();

    /**
     * How often the reconciler sweeps (on the one instance holding its lock): publishes due and
     * lost jobs, re-queues failed attempts and expired leases.
     */
    @WithDefault("PT15S")
    Duration republishEvery();

    /**
     * A queued job unpublished for this long, or published this long ago and no longer in Redis, is
     * published again by the reconciler.
     */
    @WithDefault("PT10S")
    Duration republishAfter();

    /** Delay before the first retry; doubles per attempt (half of it jittered). */
    @WithDefault("PT10S")
    Duration retryBackoff();

    /** Longest delay between two attempts. */
    @WithDefault("PT5M")
    Duration retryMaxBackoff();

    /** Sources of at least this many bytes go to the long lane (default 512 MiB). */
    @WithDefault("536870912")
    long longLaneFromBytes();

    /** How often the queue gauges (depth, lag, oldest age, live workers) are refreshed. */
    @WithDefault("PT10S")
    Duration statsEvery();
  }

  /**
   * Read-replica routing. The replica itself is the datasource {@code quarkus.datasource.replica}
   * (URL in {@code QUARKUS_DATASOURCE_REPLICA_JDBC_URL}); without a URL every read uses the
   * primary.
   */
  interface Db {
    /** Reads go to the primary while the replica is further behind than this. */
    @WithDefault("PT5S")
    Duration replicaMaxLag();

    /** How often the replica's lag is measured (a heartbeat row written on the primary). */
    @WithDefault("PT1S")
    Duration replicaCheckEvery();

    /**
     * After a user's write (any POST, PUT, PATCH or DELETE), that user's reads go to the primary
     * for this long, on every API instance. Keep it above replica-max-lag + replica-check-every.
     */
    @WithDefault("PT10S")
    Duration readYourWritesWindow();
  }

  /** Operators. */
  interface Admin {
    /** Emails of users who are admins whatever their {@code users.role}, comma separated. */
    Optional<List<String>> emails();
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

    /**
     * How often view counts gathered in Redis are added to the database (one instance at a time,
     * one transaction per batch). Owners' lists add what is waiting in Redis, so they lag by at
     * most the 200 ms in which each instance gathers views before sending them to Redis.
     */
    @WithDefault("PT2S")
    Duration viewFlushEvery();
  }

  /** Per-user limits on writes; reads are not limited. */
  interface RateLimits {
    /** Switches every limit off (for load tests). */
    @WithDefault("true")
    boolean enabled();

    /** Creating videos (JSON or one-shot multipart). */
    @WithDefault("60")
    long videoCreates();

    /** Starting uploads (streamed or direct). */
    @WithDefault("60")
    long uploads();

    /** Posting comments and reactions. */
    @WithDefault("120")
    long comments();

    /** Creating share links. */
    @WithDefault("60")
    long shares();

    /** The window every limit above counts in. */
    @WithDefault("PT1M")
    Duration per();
  }

  /** Signed webhook deliveries. */
  interface Webhooks {
    /**
     * Base64 of a 32-byte AES key that encrypts webhook secrets at rest; the same on every
     * instance. Without it, webhooks are switched off (503 webhooks_disabled).
     */
    Optional<String> encryptionKey();

    /** Deliveries are retried with backoff until this old, then marked failed. */
    @WithDefault("PT24H")
    Duration giveUpAfter();

    /** First retry delay; doubles per attempt up to an hour. */
    @WithDefault("PT10S")
    Duration firstRetryAfter();

    /** Time a receiver gets to answer one delivery. */
    @WithDefault("PT10S")
    Duration timeout();

    /** How often due deliveries are sent. */
    @WithDefault("PT1S")
    Duration sendEvery();

    /** Allow targets on loopback and private networks (off: such URLs could reach internals). */
    @WithDefault("false")
    boolean allowPrivateTargets();
  }

  /** The Redis metadata cache. */
  interface Cache {
    /** Longest a cached video may be served after a change nobody announced. */
    @WithDefault("PT10S")
    Duration videoTtl();

    /** Longest a session check is served from Redis (revocations evict at once). */
    @WithDefault("PT5M")
    Duration sessionTtl();

    /**
     * Longest a session check is served from this instance's memory; revocations reach every
     * instance over Redis pub/sub at once, this bounds a lost message.
     */
    @WithDefault("PT10S")
    Duration sessionNearTtl();

    /**
     * Longest a video is served from this instance's memory; writes and video events reach every
     * instance over Redis pub/sub at once, this bounds a lost message.
     */
    @WithDefault("PT5S")
    Duration videoNearTtl();

    /** Longest a share link is served from Redis (revocations evict at once). */
    @WithDefault("PT10M")
    Duration shareTtl();

    /** Longest a share link is served from this instance's memory (as for sessions). */
    @WithDefault("PT10S")
    Duration shareNearTtl();

    /** Most entries each in-process near-cache (sessions, videos, share links) holds. */
    @WithDefault("100000")
    long nearMaxEntries();
  }

  Watch watch();

  Cdn cdn();

  /** A CDN in front of the bucket (the seed's CAP_AWS_BUCKET_URL). */
  interface Cdn {
    /**
     * Base URL of a CDN that serves the bucket's objects by key ({@code <base>/<key>}), pulling
     * from the bucket with its own credentials. When set, playlists, segments, posters, storyboards
     * and downloads point at it instead of presigned S3 URLs, and the share page's
     * Content-Security-Policy allows media from its origin instead of the S3 endpoint.
     */
    Optional<URI> baseUrl();
  }

  /** The share page, embeds and oEmbed. */
  interface Watch {
    /** How long the cookie that remembers a share link's password lives. */
    @WithDefault("PT12H")
    Duration passwordCookieTtl();
  }
}
