package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.capstan.deploy.ConfigMappings.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/OPERATIONS.md carries the environment variable table generated from the services'
 * {@code @ConfigMapping} interfaces (ApiConfig, WorkerConfig and any other); this fails (and prints
 * the new table) when the table is stale. Regenerate with {@value EnvReference#REGENERATE}.
 */
class EnvReferenceTest {

  @Test
  void the_config_mappings_are_read_with_types_defaults_and_docs() {
    List<ConfigKey> api = Services.API.configKeys();
    assertThat(api)
        .filteredOn(k -> k.property().equals("capstan.upload.max-bytes"))
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.envVar()).isEqualTo("CAPSTAN_UPLOAD_MAX_BYTES");
              assertThat(k.defaultValue()).isEqualTo("5368709120");
              assertThat(k.javaType()).isEqualTo("long");
              assertThat(k.description()).startsWith("Largest source accepted");
            });
    assertThat(api)
        .filteredOn(k -> k.property().equals("capstan.s3.endpoint"))
        .singleElement()
        .satisfies(k -> assertThat(k.optional()).isTrue());
    List<ConfigKey> worker = Services.WORKER.configKeys();
    assertThat(worker)
        .extracting(ConfigKey::envVar)
        .contains(
            "CAPSTAN_WORKER_ID",
            "CAPSTAN_WORKER_WORK_DIR",
            "CAPSTAN_REDIS_NAMESPACE",
            "CAPSTAN_LIMITS_MAX_PIXELS");
    assertThat(worker)
        .filteredOn(k -> k.property().equals("capstan.s3.secret-key"))
        .singleElement()
        .satisfies(k -> assertThat(k.required()).isTrue());
    assertThat(api).allSatisfy(k -> assertThat(k.description()).as(k.property()).isNotBlank());
    assertThat(worker).allSatisfy(k -> assertThat(k.description()).as(k.property()).isNotBlank());
  }

  @Test
  void the_table_in_the_operations_guide_is_up_to_date() throws IOException {
    String docs = Repo.read(EnvReference.DOC);
    String table = EnvReference.render();
    if (table.equals(EnvReference.tableIn(docs))) {
      return;
    }
    if (Boolean.getBoolean("capstan.docs.write")) {
      Files.writeString(Repo.path(EnvReference.DOC), EnvReference.withTable(docs, table));
      System.out.println("rewrote the environment variable table in " + EnvReference.DOC);
      return;
    }
    fail(
        "%s: the environment variable table is out of date with the services' config mappings."
            + " Regenerate it with%n  %s%nor paste between the markers:%n%s",
        EnvReference.DOC, EnvReference.REGENERATE, table);
  }
}
