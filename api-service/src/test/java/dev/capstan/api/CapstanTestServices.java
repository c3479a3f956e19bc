package dev.capstan.api;

import dev.capstan.devtools.fixtures.TestServices;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the API under test at a database, Redis namespace and S3 process of its own. */
public class CapstanTestServices implements QuarkusTestResourceLifecycleManager {
  static TestServices services;

  @Override
  public Map<String, String> start() {
    try {
      services = TestServices.start("api");
      return services.config();
    } catch (Exception e) {
      throw new IllegalStateException("test services did not start", e);
    }
  }

  @Override
  public void stop() {
    try {
      if (services != null) {
        services.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
