package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nginx -t} on deploy/nginx/nginx.conf, with a private prefix so nothing lands in /var. */
class NginxConfigIT {
  @TempDir Path prefix;

  @Test
  void nginx_accepts_the_config() throws IOException {
    Tools.Result r = check(render(Repo.read("deploy/nginx/nginx.conf")));
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("test is successful");
  }

  @Test
  void nginx_rejects_a_broken_copy_so_the_check_can_fail() throws IOException {
    String broken =
        Repo.read("deploy/nginx/nginx.conf").replace("least_conn;", "least_connections;");
    Tools.Result r = check(render(broken));
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("least_connections");
  }

  /**
   * The config as it runs in the stack, except: upstream names resolve here (127.0.0.1), and the
   * temp paths compiled into the Debian nginx point into the test's own prefix.
   */
  private Path render(String config) throws IOException {
    Path mimeTypes = Path.of("/etc/nginx/mime.types");
    if (!Files.isRegularFile(mimeTypes)) {
      mimeTypes = prefix.resolve("mime.types");
      Files.writeString(mimeTypes, "types { text/html html; application/json json; }\n");
    }
    String temp =
        String.join(
            " ",
            "client_body_temp_path " + prefix.resolve("body") + ";",
            "proxy_temp_path " + prefix.resolve("proxy") + ";",
            "fastcgi_temp_path " + prefix.resolve("fastcgi") + ";",
            "uwsgi_temp_path " + prefix.resolve("uwsgi") + ";",
            "scgi_temp_path " + prefix.resolve("scgi") + ";");
    String rendered =
        config
            .replace("api-service:8080", "127.0.0.1:8080")
            .replace("include /etc/nginx/mime.types;", "include " + mimeTypes + ";")
            .replace("pid /tmp/nginx.pid;", "pid " + prefix.resolve("nginx.pid") + ";")
            .replaceFirst("(?m)^http \\{", "http {\n  " + temp);
    Path file = prefix.resolve("nginx.conf");
    Files.writeString(file, rendered);
    return file;
  }

  private Tools.Result check(Path conf) {
    Path nginx = Tools.require("nginx", "nginx");
    return Tools.run(
        List.of(
            nginx.toString(),
            "-t",
            "-e",
            prefix.resolve("error.log").toString(),
            "-p",
            prefix + "/",
            "-c",
            conf.toString()),
        Map.of(),
        Duration.ofSeconds(30));
  }
}
