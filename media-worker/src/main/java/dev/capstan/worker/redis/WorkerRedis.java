package dev.capstan.worker.redis;

import dev.capstan.worker.config.WorkerConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
  private final Duration timeout;
  private volatile StatefulRedisConnection<String, String> readConnection;
  private volatile StatefulRedisConnection<String, String> commandConnection;

  @Inject
  public WorkerRedis(WorkerConfig config) {
    RedisURI uri = RedisURI.create(config.redis().url());
    this.timeout = config.worker().block().plusSeconds(5);
    uri.setTimeout(timeout);
    this.client = RedisClient.create(uri);
  }

  /** Commands that return at once. */
  public RedisCommands<String, String> commands() {
    return commandConnection().sync();
  }

  /**
   * The same connection's commands without waiting for each reply: many sent back to back go out as
   * one pipeline.
   */
  public RedisAsyncCommands<String, String> async() {
    return commandConnection().async();
  }

  /** How long a command may take before the client gives up on it. */
  public Duration timeout() {
    return timeout;
  }

  private StatefulRedisConnection<String, String> commandConnection() {
    StatefulRedisConnection<String, String> c = commandConnection;
    if (c == null) {
      synchronized (connectLock) {
        if (commandConnection == null) {
          commandConnection = client.connect();
        }
        c = commandConnection;
      }
    }
    return c;
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
