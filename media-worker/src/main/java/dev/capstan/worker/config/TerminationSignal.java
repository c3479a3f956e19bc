package dev.capstan.worker.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * Turns SIGTERM into an orderly exit with status 0: the JVM's own handling would run the same
 * shutdown (the job drains or is handed back) but then exit 143, which orchestrators and process
 * supervisors count as a crash. A scale-in is not a crash.
 */
@ApplicationScoped
public class TerminationSignal {
  private static final Logger LOG = Logger.getLogger(TerminationSignal.class);

  void onStart(@Observes StartupEvent event) {
    if (LaunchMode.current() != LaunchMode.NORMAL) {
      return;
    }
    try {
      Signal.handle(
          new Signal("TERM"),
          s -> {
            LOG.info("SIGTERM: draining, then exiting");
            Quarkus.asyncExit(0);
          });
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.debugf("SIGTERM left to the JVM: %s", e.getMessage());
    }
  }
}
