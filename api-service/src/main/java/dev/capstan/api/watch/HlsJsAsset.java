package dev.capstan.api.watch;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Serves hls.js from its WebJar (pinned in the pom) under a versioned path, so browsers may cache
 * it for a year: a new version is a new URL.
 */
@Path("/assets/hls.js/{version}/hls.min.js")
public class HlsJsAsset {
  static final String VERSION = webJarVersion();
  static final String PATH = "/assets/hls.js/" + VERSION + "/hls.min.js";
  private static final String RESOURCE =
      "META-INF/resources/webjars/hls.js/" + VERSION + "/dist/hls.min.js";

  @GET
  public Response get(@PathParam("version") String version) {
    if (!VERSION.equals(version)) {
      throw new NotFoundException();
    }
    InputStream in = HlsJsAsset.class.getClassLoader().getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new NotFoundException();
    }
    return Response.ok(in, "text/javascript; charset=utf-8")
        .header("Cache-Control", "public, max-age=31536000, immutable")
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }

  private static String webJarVersion() {
    try (InputStream in =
        HlsJsAsset.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars.npm/hls.js/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the hls.js WebJar is not on the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
