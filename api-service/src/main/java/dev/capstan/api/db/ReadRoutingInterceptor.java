package dev.capstan.api.db;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.error.ApiException;
import io.quarkus.arc.Arc;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Chooses the server for a {@link ToleratesLag} read, once per outermost call: the replica when it
 * is {@link ReplicaState#usable() usable} and the caller has not written within the
 * read-your-writes window, the primary otherwise. A replica read that fails on a database error, or
 * that finds nothing (a row too new for the replica), is repeated on the primary, so neither an
 * outage nor lag shows up as an error.
 */
@ToleratesLag
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 10)
public class ReadRoutingInterceptor {
  @Inject ReplicaState replica;
  @Inject ReadYourWrites readYourWrites;
  @Inject CurrentUser currentUser;

  @AroundInvoke
  Object route(InvocationContext call) throws Exception {
    if (Route.chosen()) {
      return call.proceed();
    }
    Route route = choose();
    try {
      Route.set(route);
      if (route == Route.PRIMARY) {
        return call.proceed();
      }
      try {
        return call.proceed();
      } catch (ApiException e) {
        if (e.status() != 404 || Route.current() != Route.REPLICA) {
          throw e;
        }
        Route.set(Route.PRIMARY);
        return call.proceed();
      } catch (RuntimeException e) {
        if (Route.current() != Route.REPLICA) {
          throw e;
        }
        // Only reads are marked, so repeating one is safe; a database error also takes the
        // replica out of rotation until the next good check.
        Log.warnf("a read on the replica failed, repeating it on the primary: %s", e.toString());
        if (causedByDatabase(e)) {
          replica.connectionFailed(e);
        }
        Route.set(Route.PRIMARY);
        return call.proceed();
      }
    } finally {
      Route.set(null);
    }
  }

  private Route choose() {
    // Inside a caller's transaction the connection is that transaction's: it stays on the primary.
    if (!replica.usable() || QuarkusTransaction.isActive()) {
      return Route.PRIMARY;
    }
    Optional<String> user = caller();
    return user.isPresent() && readYourWrites.pinned(user.get()) ? Route.PRIMARY : Route.REPLICA;
  }

  private Optional<String> caller() {
    if (!Arc.container().requestContext().isActive()) {
      return Optional.empty();
    }
    return currentUser.idIfSignedIn();
  }

  private static boolean causedByDatabase(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        return true;
      }
    }
    return false;
  }
}
