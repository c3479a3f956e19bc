package dev.capstan.api.db;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Test-only: records the SQL Hibernate prepares on the calling thread while {@link #count} runs, so
 * background jobs (reconciler, webhook sender, metrics) cannot disturb the count.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class StatementCounter implements StatementInspector {
  private static final ThreadLocal<List<String>> SEEN = new ThreadLocal<>();

  @Override
  public String inspect(String sql) {
    List<String> seen = SEEN.get();
    if (seen != null) {
      seen.add(sql);
    }
    return sql;
  }

  /** The statements {@code work} made Hibernate prepare on this thread. */
  public static List<String> count(Supplier<?> work) {
    List<String> seen = new ArrayList<>();
    SEEN.set(seen);
    try {
      work.get();
      return seen;
    } finally {
      SEEN.remove();
    }
  }
}
