package dev.capstan.devtools.s3;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * An S3-compatible server on a local folder (S3Proxy, filesystem backend), for {@code ./capstan up}
 * and the tests. Prints {@code READY <endpoint>} once it serves requests.
 */
public final class LocalS3 {

  /** How to run it. */
  public record Settings(
      String host, int port, Path dataDir, String bucket, String accessKey, String secretKey) {
    public static Settings from(Map<String, String> opts) {
      return new Settings(
          opts.getOrDefault("host", "127.0.0.1"),
          Integer.parseInt(opts.getOrDefault("port", "9000")),
          Path.of(opts.getOrDefault("data", ".capstan/s3")),
          opts.getOrDefault("bucket", "capstan"),
          opts.getOrDefault("access-key", "capstan"),
          opts.getOrDefault("secret-key", "capstan-secret"));
    }
  }

  private LocalS3() {}

  public static S3Proxy start(Settings settings) throws Exception {
    Files.createDirectories(settings.dataDir());
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", settings.dataDir().toAbsolutePath().toString());
    BlobStore store = BlobStores.create("filesystem", props);
    if (!store.containerExists(settings.bucket())) {
      store.createContainer(settings.bucket());
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://" + settings.host() + ":" + settings.port()))
            .awsAuthentication(
                AuthenticationType.AWS_V2_OR_V4, settings.accessKey(), settings.secretKey())
            // Browsers fetch HLS segments (hls.js) and PUT upload parts cross-origin.
            .corsRules(
                new CrossOriginResourceSharing(
                    List.of("*"),
                    List.of("GET", "HEAD", "PUT"),
                    List.of("*"),
                    List.of("ETag", "Content-Length", "Content-Range"),
                    "false"))
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      if ("FAILED".equals(proxy.getState())) {
        throw new IllegalStateException("S3Proxy failed to start on port " + settings.port());
      }
      Thread.onSpinWait();
    }
    return proxy;
  }

  public static void runUntilKilled(Settings settings) throws Exception {
    S3Proxy proxy = start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    proxy.stop();
                  } catch (Exception ignored) {
                    // exiting anyway
                  }
                  stopped.countDown();
                }));
    System.out.println("READY http://" + settings.host() + ":" + settings.port());
    System.out.flush();
    stopped.await();
  }
}
