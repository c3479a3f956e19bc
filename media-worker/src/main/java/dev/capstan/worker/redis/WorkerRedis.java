package dev.capstan.worker.redis;

import dev.capstan.worker.config.WorkerConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/**
 * The worker's Lettuce client and its two connections: one for blocking stream reads (held for up
 * to a block period), one for everything else (acks, heartbeats, events, health), so nothing queues
 * behind a read. Lettuce reconnects both by itself after Redis restarts.
 */
@ApplicationScoped
public class WorkerRedis implements AutoCloseable {
  private final RedisClient client;
  private final Object connectLock = new Object();
  private volatile StatefulRedisConnection<String, String> readConnection;
  private volatile StatefulRedisConnection<String, String> commandConnection;

  @Inject
  public WorkerRedis(WorkerConfig config) {
    RedisURI uri = RedisURI.create(config.redis().url());
    uri.setTimeout(config.worker().block().plusSeconds(5));
    this.client = RedisClient.create(uri);
  }

  /** Commands that return at once. */
  public RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> c = commandConnection;
    if (c == null) {
      synchronized (connectLock) {
        if (commandConnection == null) {
          commandConnection = client.connect();
        }
        c = commandConnection;
      }
    }
    return c.sync();
  }

  /** Commands that block (XREADGROUP ... BLOCK); used by the one consumer thread only. */
  public RedisCommands<String, String> blocking() {
    StatefulRedisConnection<String, String> c = readConnection;
    if (c == null) {
      synchronized (connectLock) {
        if (readConnection == null) {
          readConnection = client.connect();
        }
        c = readConnection;
      }
    }
    return c.sync();
  }

  @PreDestroy
  @Override
  public void close() {
    synchronized (connectLock) {
      if (readConnection != null) {
        readConnection.close();
      }
      if (commandConnection != null) {
        commandConnection.close();
      }
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
