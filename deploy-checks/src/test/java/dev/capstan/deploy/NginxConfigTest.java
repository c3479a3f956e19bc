package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.deploy.ConfigMappings.ConfigKey;
import dev.capstan.deploy.NginxConf.Directive;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What deploy/nginx/nginx.conf promises, read from the config itself. */
class NginxConfigTest {
  private static final String CONF = "deploy/nginx/nginx.conf";
  private final Directive http = NginxConf.parse(Repo.read(CONF)).first("http").orElseThrow();
  private final Directive api =
      http.first("server", s -> s.first("listen").orElseThrow().args().contains("default_server"))
          .orElseThrow();

  @Test
  void api_instances_are_balanced_by_least_connections_over_the_compose_service() {
    Directive upstream = http.first("upstream", u -> u.arg(0).equals("capstan_api")).orElseThrow();
    assertThat(upstream.first("least_conn")).isPresent();
    assertThat(upstream.all("server"))
        .extracting(s -> s.arg(0))
        .containsExactly("api-service:8080");
    assertThat(upstream.value("keepalive")).isNotNull();
  }

  @Test
  void every_api_location_proxies_to_the_balanced_upstream() {
    List<Directive> proxied =
        api.all("location").stream().filter(l -> l.first("proxy_pass").isPresent()).toList();
    assertThat(proxied).isNotEmpty();
    assertThat(proxied)
        .allSatisfy(l -> assertThat(l.value("proxy_pass")).isEqualTo("http://capstan_api"));
  }

  @Test
  void uploads_up_to_the_api_limit_are_streamed_not_buffered() {
    long apiLimit = uploadLimit();
    long nginxLimit = NginxConf.bytes(api.value("client_max_body_size"));
    // Never stricter than the API (which answers problem+json 413), at most multipart framing
    // above.
    assertThat(nginxLimit).isBetween(apiLimit, apiLimit + 16L * 1024 * 1024);
    assertThat(api.value("proxy_request_buffering")).isEqualTo("off");
    assertThat(api.value("proxy_http_version")).isEqualTo("1.1");
  }

  @Test
  void proxy_headers_carry_client_address_scheme_host_and_request_id() {
    List<String> headers = api.all("proxy_set_header").stream().map(d -> d.arg(0)).toList();
    assertThat(headers)
        .contains(
            "Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id");
    assertThat(
            api.first("proxy_set_header", d -> d.arg(0).equals("X-Forwarded-For"))
                .orElseThrow()
                .arg(1))
        .isEqualTo("$proxy_add_x_forwarded_for");
    assertThat(
            api.first("add_header", d -> d.arg(0).equals("X-Request-Id"))
                .map(d -> d.arg(1))
                .orElse(null))
        .isEqualTo(
            api.first("proxy_set_header", d -> d.arg(0).equals("X-Request-Id"))
                .orElseThrow()
                .arg(1));
  }

  @Test
  void progress_events_are_not_buffered_and_may_stay_open() {
    Directive sse =
        api.first(
                "location",
                l -> l.arg(0).equals("~") && matches(l.arg(1), "/api/v1/videos/0f3a/events"))
            .orElseThrow(
                () -> new AssertionError("no regex location for /api/v1/videos/{id}/events"));
    assertThat(matches(sse.arg(1), "/api/v1/videos/0f3a")).isFalse();
    assertThat(sse.value("proxy_buffering")).isEqualTo("off");
    assertThat(sse.value("gzip")).isEqualTo("off");
    assertThat(NginxConf.seconds(sse.value("proxy_read_timeout"))).isGreaterThanOrEqualTo(600);
    assertThat(sse.value("proxy_pass")).isEqualTo("http://capstan_api");
  }

  @Test
  void json_is_compressed_and_metrics_are_not_public() {
    assertThat(http.value("gzip")).isEqualTo("on");
    assertThat(http.first("gzip_types").orElseThrow().args())
        .contains("application/json", "application/problem+json")
        .doesNotContain("text/event-stream");
    Directive metrics = api.first("location", l -> l.arg(0).equals("/q/metrics")).orElseThrow();
    assertThat(metrics.first("return").orElseThrow().arg(0)).isEqualTo("404");
  }

  @Test
  void timeouts_are_bounded() {
    assertThat(NginxConf.seconds(api.value("proxy_connect_timeout"))).isBetween(1L, 10L);
    assertThat(NginxConf.seconds(api.value("proxy_read_timeout"))).isBetween(30L, 600L);
    assertThat(NginxConf.seconds(http.value("client_body_timeout"))).isBetween(10L, 300L);
  }

  @Test
  void s3_hosts_go_to_minio_with_the_signed_host_header_untouched() {
    Directive s3 =
        http.first(
                "server",
                s -> s.value("server_name") != null && s.value("server_name").startsWith("~"))
            .orElseThrow();
    assertThat(Pattern.compile(s3.value("server_name").substring(1)).matcher("s3.localhost").find())
        .isTrue();
    assertThat(s3.first("proxy_set_header", d -> d.arg(0).equals("Host")).orElseThrow().arg(1))
        .isEqualTo("$http_host");
    assertThat(s3.value("proxy_request_buffering")).isEqualTo("off");
    assertThat(s3.first("set").orElseThrow().args())
        .containsExactly("$capstan_s3", "http://minio:9000");
  }

  private static long uploadLimit() {
    ConfigKey key =
        Services.API.configKeys().stream()
            .filter(k -> k.property().equals("capstan.upload.max-bytes"))
            .findFirst()
            .orElseThrow();
    return Long.parseLong(key.defaultValue());
  }

  private static boolean matches(String nginxRegex, String uri) {
    return Pattern.compile(nginxRegex).matcher(uri).find();
  }
}
