package dev.capstan.worker.testing;

import dev.capstan.devtools.fixtures.TestServices;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.QueueNames;
import io.lettuce.core.RedisClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points the worker under test at real services of its own: a fresh MariaDB database, a Redis
 * namespace and an embedded S3 process, all gone after the run.
 */
public class WorkerTestServices implements QuarkusTestResourceLifecycleManager {
  private static TestServices services;

  /** The running services, for tests that seed and inspect them. */
  public static TestServices services() {
    return services;
  }

  @Override
  public Map<String, String> start() {
    try {
      services = TestServices.start("worker");
    } catch (Exception e) {
      throw new IllegalStateException("test services did not start", e);
    }
    return services.config();
  }

  @Override
  public void stop() {
    if (services == null) {
      return;
    }
    RedisClient redis = RedisClient.create(services.redisUrl());
    try (var c = redis.connect()) {
      String ns = services.redisNamespace();
      c.sync()
          .del(
              QueueNames.jobStream(ns, JobLane.SHORT),
              QueueNames.jobStream(ns, JobLane.LONG),
              QueueNames.deadLetterStream(ns));
    } finally {
      redis.shutdown();
    }
    try {
      services.close();
    } catch (Exception e) {
      throw new IllegalStateException("test services did not stop cleanly", e);
    }
  }
}
