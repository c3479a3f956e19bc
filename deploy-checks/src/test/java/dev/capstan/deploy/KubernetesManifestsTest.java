package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.job.QueueNames;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** deploy/k8s against the services: ports, probes, settings, autoscaling, drain. */
class KubernetesManifestsTest {
  private static final String DIR = "deploy/k8s/";
  private final Map<String, Object> kustomization = Yamls.load(DIR + "kustomization.yaml");
  private final List<Map<String, Object>> objects = objects();

  @Test
  void kustomization_lists_every_manifest_but_the_secret_template() throws Exception {
    Set<String> files = new java.util.TreeSet<>();
    try (var list = java.nio.file.Files.list(Repo.path(DIR))) {
      list.map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
          .forEach(files::add);
    }
    files.remove("secret.example.yaml");
    assertThat(Yamls.list(kustomization, "resources")).containsExactlyInAnyOrderElementsOf(files);
    for (Map<String, Object> o : objects) {
      assertThat(o).containsKeys("apiVersion", "kind", "metadata");
      if (!o.get("kind").equals("Namespace")) {
        assertThat(Yamls.string(o, "metadata", "namespace")).isEqualTo("capstan");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Services.class)
  void probes_and_ports_match_the_service(Services s) {
    Map<String, Object> container = container(s);
    Map<String, Object> port = Yamls.map(Yamls.list(container, "ports").get(0));
    assertThat(port.get("containerPort")).isEqualTo(s.port);
    String portName = Yamls.string(port, "name");
    assertThat(Yamls.string(container, "livenessProbe", "httpGet", "path"))
        .isEqualTo(Services.LIVE);
    assertThat(Yamls.string(container, "readinessProbe", "httpGet", "path"))
        .isEqualTo(Services.READY);
    assertThat(Yamls.string(container, "startupProbe", "httpGet", "path")).isEqualTo(Services.LIVE);
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertThat(Yamls.string(container, probe, "httpGet", "port"))
          .isIn(portName, String.valueOf(s.port));
    }
    Map<String, Object> annotations =
        Yamls.map(podSpecOwner(s), "spec", "template", "metadata", "annotations");
    assertThat(annotations)
        .containsEntry("prometheus.io/port", String.valueOf(s.port))
        .containsEntry("prometheus.io/path", Services.METRICS);
    Map<String, Object> service = object("Service", s.serviceName);
    Map<String, Object> servicePort = Yamls.map(Yamls.list(service, "spec", "ports").get(0));
    assertThat(servicePort.get("targetPort")).isIn(portName, s.port);
    assertThat(Yamls.map(service, "spec", "selector"))
        .isEqualTo(Yamls.map(podSpecOwner(s), "spec", "selector", "matchLabels"));
  }

  @ParameterizedTest
  @EnumSource(Services.class)
  void containers_have_requests_limits_and_run_unprivileged(Services s) {
    Map<String, Object> container = container(s);
    assertThat(Yamls.map(container, "resources", "requests")).containsKeys("cpu", "memory");
    assertThat(Yamls.map(container, "resources", "limits")).containsKeys("cpu", "memory");
    assertThat(
            Yamls.at(
                podSpecOwner(s), "spec", "template", "spec", "securityContext", "runAsNonRoot"))
        .isEqualTo(true);
    assertThat(Yamls.at(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
  }

  @ParameterizedTest
  @EnumSource(Services.class)
  void containers_are_given_only_settings_they_understand(Services s) {
    Map<String, Object> container = container(s);
    Set<String> given = new LinkedHashSet<>();
    Object env = container.get("env");
    if (env != null) {
      for (Object e : (List<?>) env) {
        given.add(Yamls.string(e, "name"));
      }
    }
    for (Object from : Yamls.list(container, "envFrom")) {
      String configMap = Yamls.string(from, "configMapRef", "name");
      given.addAll(Yamls.map(object("ConfigMap", configMap), "data").keySet());
    }
    assertThat(s.knownEnvironment()).containsAll(given);
    assertThat(given)
        .contains("QUARKUS_DATASOURCE_JDBC_URL", "CAPSTAN_REDIS_URL", "CAPSTAN_S3_SECRET_KEY");
  }

  @Test
  void secrets_referenced_by_the_deployments_are_in_the_template() {
    Map<String, Set<String>> template = new java.util.HashMap<>();
    for (Map<String, Object> secret : Yamls.loadAll(DIR + "secret.example.yaml")) {
      template.put(
          Yamls.string(secret, "metadata", "name"), Yamls.map(secret, "stringData").keySet());
    }
    List<Map<String, Object>> containers = new ArrayList<>();
    for (Services s : Services.values()) {
      containers.add(container(s));
    }
    containers.add(
        Yamls.map(
            Yamls.list(
                    object("CronJob", "capstan-backup"),
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "spec",
                    "containers")
                .get(0)));
    for (Map<String, Object> c : containers) {
      for (Object e : Yamls.list(c, "env")) {
        Object ref = Yamls.at(e, "valueFrom", "secretKeyRef");
        if (ref != null) {
          assertThat(template).containsKey(Yamls.string(ref, "name"));
          assertThat(template.get(Yamls.string(ref, "name"))).contains(Yamls.string(ref, "key"));
        }
      }
    }
    Object keda =
        Yamls.list(object("TriggerAuthentication", "capstan-redis"), "spec", "secretTargetRef")
            .get(0);
    assertThat(template.get(Yamls.string(keda, "name"))).contains(Yamls.string(keda, "key"));
  }

  @Test
  void the_api_autoscales_as_the_seed_says() {
    Map<String, Object> hpa = object("HorizontalPodAutoscaler", "api-service");
    assertThat(Yamls.string(hpa, "apiVersion")).isEqualTo("autoscaling/v2");
    assertThat(Yamls.at(hpa, "spec", "minReplicas")).isEqualTo(2);
    assertThat(Yamls.at(hpa, "spec", "maxReplicas")).isEqualTo(10);
    assertThat(Yamls.string(hpa, "spec", "scaleTargetRef", "name")).isEqualTo("api-service");
    assertThat(Yamls.string(hpa, "spec", "scaleTargetRef", "kind")).isEqualTo("Deployment");
    Object metric = Yamls.list(hpa, "spec", "metrics").get(0);
    assertThat(Yamls.string(metric, "resource", "name")).isEqualTo("cpu");
    assertThat(Yamls.string(metric, "resource", "target", "type")).isEqualTo("Utilization");
    assertThat(Yamls.at(metric, "resource", "target", "averageUtilization")).isEqualTo(70);
  }

  @Test
  void workers_scale_on_the_consumer_group_lag_of_every_job_stream() {
    Map<String, Object> scaled = object("ScaledObject", "media-worker");
    assertThat(Yamls.string(scaled, "spec", "scaleTargetRef", "name")).isEqualTo("media-worker");
    String namespace =
        Yamls.string(object("ConfigMap", "capstan-common"), "data", "CAPSTAN_REDIS_NAMESPACE");
    List<String> streams = JobStreams.of(namespace);
    assertThat(streams).contains(QueueNames.jobStream("capstan"));
    List<Object> triggers = Yamls.list(scaled, "spec", "triggers");
    assertThat(triggers)
        .allSatisfy(
            t -> {
              assertThat(Yamls.string(t, "type")).isEqualTo("redis-streams");
              assertThat(Yamls.string(t, "metadata", "consumerGroup"))
                  .isEqualTo(QueueNames.WORKER_GROUP);
              assertThat(Yamls.string(t, "metadata", "stream")).isIn(streams);
              assertThat(Yamls.string(t, "authenticationRef", "name")).isEqualTo("capstan-redis");
            });
    for (String stream : streams) {
      assertThat(triggers)
          .as("lag trigger on %s", stream)
          .anySatisfy(
              t -> {
                assertThat(Yamls.string(t, "metadata", "stream")).isEqualTo(stream);
                assertThat(Yamls.at(t, "metadata", "lagCount")).isNotNull();
              });
      assertThat(triggers)
          .as("in-progress trigger on %s", stream)
          .anySatisfy(
              t -> {
                assertThat(Yamls.string(t, "metadata", "stream")).isEqualTo(stream);
                assertThat(Yamls.at(t, "metadata", "pendingEntriesCount")).isNotNull();
              });
    }
    assertThat((Integer) Yamls.at(scaled, "spec", "minReplicaCount")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void the_worker_grace_period_covers_its_drain() {
    Object grace =
        Yamls.at(
            podSpecOwner(Services.WORKER),
            "spec",
            "template",
            "spec",
            "terminationGracePeriodSeconds");
    long drain = Manifests.workerDrain().toSeconds();
    assertThat(((Number) grace).longValue()).isGreaterThan(drain).isLessThanOrEqualTo(drain + 30);
  }

  @Test
  void disruption_budgets_select_the_deployments() {
    for (Services s : Services.values()) {
      Map<String, Object> pdb = object("PodDisruptionBudget", s.serviceName);
      assertThat(Yamls.map(pdb, "spec", "selector", "matchLabels"))
          .isEqualTo(Yamls.map(podSpecOwner(s), "spec", "selector", "matchLabels"));
    }
    assertThat(Yamls.at(object("PodDisruptionBudget", "api-service"), "spec", "minAvailable"))
        .isEqualTo(1);
  }

  private Map<String, Object> podSpecOwner(Services s) {
    return object("Deployment", s.serviceName);
  }

  private Map<String, Object> container(Services s) {
    List<Object> containers = Yamls.list(podSpecOwner(s), "spec", "template", "spec", "containers");
    assertThat(containers).hasSize(1);
    return Yamls.map(containers.get(0));
  }

  private Map<String, Object> object(String kind, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(Yamls.at(o, "metadata", "name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + DIR));
  }

  private List<Map<String, Object>> objects() {
    List<Map<String, Object>> all = new ArrayList<>();
    for (Object file : Yamls.list(kustomization, "resources")) {
      all.addAll(Yamls.loadAll(DIR + file));
    }
    return all;
  }
}
