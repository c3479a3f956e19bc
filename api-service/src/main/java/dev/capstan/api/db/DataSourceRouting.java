package dev.capstan.api.db;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InjectableBean;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Puts {@link RoutingDataSource} in place of the default datasource. Panache entities belong to one
 * persistence unit, which has one datasource; so the choice between primary and replica is made
 * below Hibernate, per connection, and every transaction gets all its connections from one server
 * (see docs/ARCHITECTURE.md, "Read replica"). The primary pool is {@code quarkus.datasource}, the
 * replica pool {@code quarkus.datasource.replica}, inactive when it has no URL.
 */
@Singleton
public class DataSourceRouting {
  public static final String REPLICA = "replica";

  @Produces
  @Default
  @Alternative
  @Priority(1)
  @Singleton
  AgroalDataSource routing(ReplicaState state) {
    Optional<AgroalDataSource> replica = AgroalDataSourceUtil.dataSourceIfActive(REPLICA);
    replica.ifPresent(r -> state.configured());
    return new RoutingDataSource(primaryPool(), replica, state);
  }

  /** Quarkus's own pool for the default datasource, which this producer hides from injection. */
  @SuppressWarnings("unchecked")
  private static AgroalDataSource primaryPool() {
    ArcContainer arc = Arc.container();
    for (Bean<?> bean :
        arc.beanManager().getBeans(AgroalDataSource.class, Default.Literal.INSTANCE)) {
      if (bean.getBeanClass() != DataSourceRouting.class) {
        return arc.instance((InjectableBean<AgroalDataSource>) bean).get();
      }
    }
    throw new IllegalStateException("no default datasource is configured (quarkus.datasource)");
  }
}
