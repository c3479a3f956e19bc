package dev.capstan.worker.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The name this worker goes by: its consumer name in the Redis group and the lease owner it writes
 * on job rows. Unique per process, so two workers on one host never share a lease.
 */
@ApplicationScoped
public class WorkerIdentity {
  private final String id;

  @Inject
  public WorkerIdentity(WorkerConfig config) {
    this.id = config.worker().id().filter(s -> !s.isBlank()).orElseGet(WorkerIdentity::hostAndPid);
  }

  public String id() {
    return id;
  }

  static String hostAndPid() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = System.getenv().getOrDefault("HOSTNAME", "worker");
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
