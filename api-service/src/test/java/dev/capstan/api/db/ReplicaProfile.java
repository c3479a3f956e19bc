package dev.capstan.api.db;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The API against a live replica pair, with lag checks fast enough for a test. */
public class ReplicaProfile implements QuarkusTestProfile {
  static final String MAX_LAG_SECONDS = "8";

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "capstan.db.replica-check-every", "PT1S",
        "capstan.db.replica-max-lag", "PT" + MAX_LAG_SECONDS + "S",
        "capstan.db.read-your-writes-window", "PT20S");
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(ReplicaTestServices.class));
  }

  @Override
  public boolean disableGlobalTestResources() {
    return true;
  }
}
