package dev.capstan.api.db;

import dev.capstan.devtools.fixtures.ReplicationPair;
import dev.capstan.devtools.fixtures.TestServices;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A live primary + replica pair (deploy/mysql/local-replication.sh) holding the test database, plus
 * the usual Redis namespace and S3 process; the API's primary datasource points at the primary and
 * its replica datasource at the replica.
 */
public class ReplicaTestServices implements QuarkusTestResourceLifecycleManager {
  static ReplicationPair pair;
  static TestServices services;

  @Override
  public Map<String, String> start() {
    try {
      pair = ReplicationPair.start();
      System.setProperty("dev.capstan.test.db.url", pair.primaryUrl(""));
      System.setProperty("dev.capstan.test.db.user", "root");
      System.setProperty("dev.capstan.test.db.password", "");
      try {
        services = TestServices.start("replica");
      } finally {
        System.clearProperty("dev.capstan.test.db.url");
        System.clearProperty("dev.capstan.test.db.user");
        System.clearProperty("dev.capstan.test.db.password");
      }
      Map<String, String> config = new java.util.HashMap<>(services.config());
      config.put("quarkus.datasource.replica.jdbc.url", pair.replicaUrl(database()));
      config.put("quarkus.datasource.replica.username", "root");
      config.put("quarkus.datasource.replica.password", "");
      return config;
    } catch (Exception e) {
      stop();
      throw new IllegalStateException("the replication pair did not start", e);
    }
  }

  static String database() {
    return services.database().name();
  }

  @Override
  public void stop() {
    try {
      if (services != null) {
        services.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      if (pair != null) {
        pair.close();
      }
    }
  }
}
