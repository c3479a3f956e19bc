package dev.capstan.api.db;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceMetrics;
import io.agroal.api.AgroalPoolInterceptor;
import io.agroal.api.configuration.AgroalDataSourceConfiguration;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The data source Hibernate, Flyway and everything else in the API get: the primary's pool, except
 * that a connection asked for while {@link Route#current()} is {@link Route#REPLICA} comes from the
 * replica's pool. A replica that cannot give a connection is reported to {@link ReplicaState} (so
 * the next reads skip it) and the read is repeated on the primary by {@link
 * ReadRoutingInterceptor}, so a replica outage never fails a request. Everything but {@code
 * getConnection} is the primary pool's (its configuration, metrics, health).
 */
final class RoutingDataSource implements AgroalDataSource {
  private final AgroalDataSource primary;
  private final Optional<AgroalDataSource> replica;
  private final ReplicaState state;

  RoutingDataSource(
      AgroalDataSource primary, Optional<AgroalDataSource> replica, ReplicaState state) {
    this.primary = primary;
    this.replica = replica;
    this.state = state;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (replica.isPresent() && Route.current() == Route.REPLICA) {
      try {
        return replica.get().getConnection();
      } catch (SQLException e) {
        // The transaction that asked may already be marked for rollback: the read is repeated,
        // in a transaction of its own, on the primary (ReadRoutingInterceptor).
        state.connectionFailed(e);
        throw e;
      }
    }
    return primary.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return primary.getConnection(username, password);
  }

  @Override
  public Connection getReadOnlyConnection() throws SQLException {
    return primary.getReadOnlyConnection();
  }

  @Override
  public AgroalDataSourceConfiguration getConfiguration() {
    return primary.getConfiguration();
  }

  @Override
  public AgroalDataSourceMetrics getMetrics() {
    return primary.getMetrics();
  }

  @Override
  public void flush(FlushMode mode) {
    primary.flush(mode);
  }

  @Override
  public void setPoolInterceptors(Collection<? extends AgroalPoolInterceptor> interceptors) {
    primary.setPoolInterceptors(interceptors);
  }

  @Override
  public List<AgroalPoolInterceptor> getPoolInterceptors() {
    return primary.getPoolInterceptors();
  }

  @Override
  public boolean isHealthy(boolean newConnection) throws SQLException {
    return primary.isHealthy(newConnection);
  }

  @Override
  public void close() {
    // The pools belong to Quarkus, which closes them.
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return primary.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    primary.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    primary.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return primary.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return primary.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return primary.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return primary.isWrapperFor(iface);
  }
}
