package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.deploy.Dockerfiles.Stage;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images cannot be built here (no Docker engine, no registry but Maven Central), so their
 * Dockerfiles are linted: what the running container will be, read from the instructions.
 */
class DockerfileLintTest {
  private static final Pattern ENV_PAIR = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");

  @ParameterizedTest
  @ValueSource(strings = {"api-service", "media-worker", "backup"})
  void every_base_image_has_a_pinned_tag(String image) {
    List<Stage> stages = Dockerfiles.parse(Repo.read(dockerfile(image)));
    Set<String> stageNames =
        stages.stream().map(Stage::name).filter(n -> n != null).collect(Collectors.toSet());
    for (Stage stage : stages) {
      if (stageNames.contains(stage.image())) {
        continue;
      }
      assertThat(stage.image())
          .as("FROM %s", stage.image())
          .matches("[^:@]+(:[\\w.\\-]+|@sha256:\\w+)");
      assertThat(stage.image()).doesNotEndWith(":latest");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"api-service", "media-worker", "backup"})
  void the_container_runs_as_an_unprivileged_user(String image) {
    Stage runtime = runtime(image);
    String user = runtime.last("USER");
    assertThat(user).as("USER of the runtime stage").isNotNull();
    assertThat(user.split(":")[0]).isNotIn("root", "0");
  }

  @ParameterizedTest
  @EnumSource(Services.class)
  void service_images_build_with_the_wrapper_on_jdk_21_and_run_the_fast_jar_on_jre_21(
      Services service) {
    List<Stage> stages = Dockerfiles.parse(Repo.read(dockerfile(service.serviceName)));
    Stage build = stages.get(0);
    Stage runtime = stages.get(stages.size() - 1);
    assertThat(build.image()).startsWith("eclipse-temurin:21-jdk");
    assertThat(String.join("\n", build.all("RUN")))
        .contains("./mvnw")
        .contains("-pl " + service.serviceName + " -am package");
    assertThat(runtime.image()).startsWith("eclipse-temurin:21-jre");
    assertThat(runtime.all("COPY"))
        .allSatisfy(c -> assertThat(c).contains("--from=" + build.name()))
        .anySatisfy(c -> assertThat(c).contains(service.serviceName + "/target/quarkus-app/lib/"));
    assertThat(runtime.last("ENTRYPOINT")).contains("exec java").contains("quarkus-run.jar");
    assertThat(Files.isDirectory(Repo.path(service.serviceName))).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Services.class)
  void health_check_and_exposed_port_match_the_service(Services service) {
    Stage runtime = runtime(service.serviceName);
    assertThat(runtime.all("EXPOSE")).containsExactly(String.valueOf(service.port));
    assertThat(env(runtime)).containsEntry("QUARKUS_HTTP_PORT", String.valueOf(service.port));
    assertThat(runtime.last("HEALTHCHECK"))
        .contains("CMD curl -fsS")
        .contains("http://127.0.0.1:${QUARKUS_HTTP_PORT}" + Services.READY);
  }

  @ParameterizedTest
  @EnumSource(Services.class)
  void the_jvm_is_sized_by_the_container_and_only_known_settings_are_set(Services service) {
    Stage runtime = runtime(service.serviceName);
    java.util.Map<String, String> env = env(runtime);
    assertThat(env.get("JAVA_OPTS"))
        .contains("-XX:MaxRAMPercentage=")
        .contains("-XX:+ExitOnOutOfMemoryError");
    assertThat(env.get("JAVA_OPTS")).doesNotContain("-Xmx");
    assertThat(service.knownEnvironment()).containsAll(env.keySet());
  }

  @org.junit.jupiter.api.Test
  void the_worker_image_has_libpulse_for_ffmpeg_and_no_system_ffmpeg() {
    Stage runtime = runtime("media-worker");
    String runs = String.join("\n", runtime.all("RUN"));
    assertThat(runs).contains("libpulse0").doesNotContainPattern("\\bffmpeg\\b");
    assertThat(env(runtime)).containsKey("CAPSTAN_WORKER_WORK_DIR");
  }

  @org.junit.jupiter.api.Test
  void the_backup_image_is_a_job_that_runs_backup_sh() {
    Stage runtime = runtime("backup");
    assertThat(runtime.last("HEALTHCHECK")).isEqualTo("NONE");
    assertThat(runtime.last("ENTRYPOINT")).contains("/opt/capstan/backup.sh");
    assertThat(String.join("\n", runtime.all("RUN"))).contains("s3cmd");
  }

  @ParameterizedTest
  @EnumSource(Services.class)
  void build_outputs_and_local_state_stay_out_of_the_build_context(Services service) {
    String ignore = Repo.read(dockerfile(service.serviceName) + ".dockerignore");
    assertThat(ignore.lines()).contains("**/target", ".capstan", ".git");
  }

  private static Stage runtime(String image) {
    List<Stage> stages = Dockerfiles.parse(Repo.read(dockerfile(image)));
    return stages.get(stages.size() - 1);
  }

  private static java.util.Map<String, String> env(Stage stage) {
    java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String args : stage.all("ENV")) {
      Matcher m = ENV_PAIR.matcher(args);
      while (m.find()) {
        env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
      }
    }
    return env;
  }

  private static String dockerfile(String image) {
    return "deploy/docker/" + image + ".Dockerfile";
  }
}
