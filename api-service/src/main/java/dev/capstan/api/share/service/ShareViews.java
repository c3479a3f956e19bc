package dev.capstan.api.share.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.share.persistence.ShareLinkEntity;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.redisson.api.RLock;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Anonymous view counts of share links. An open adds one in the Redis hash {@code {ns}:share-views}
 * (fire and forget: the request never waits for it); every {@code capstan.share.view-flush-every}
 * one instance (the holder of {@code {ns}:locks:share-views}) moves the hash aside atomically, adds
 * the counts to {@code share_links.view_count} in one transaction and deletes what it moved.
 * Owners' lists add the counts still waiting in Redis, so they never lag.
 *
 * <p>What can go wrong: an API restart loses nothing (the counts live in Redis). If the flushing
 * instance dies between the database commit and the delete, the next flush adds that batch again
 * (counted twice). If Redis loses its data, the views of the last interval are lost.
 */
@ApplicationScoped
public class ShareViews {
  private static final String COUNT = "return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)";

  /** Moves the live hash aside unless a batch is still waiting there, and returns the batch. */
  private static final String TAKE =
      """
      if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[1]) == 1 then
        redis.call('RENAME', KEYS[1], KEYS[2])
      end
      return redis.call('HGETALL', KEYS[2])""";

  @Inject RedissonClient redisson;
  @Inject ApiConfig config;

  /** Counts one view of the link; never blocks, never fails the request. */
  public void count(String linkId) {
    try {
      script()
          .evalAsync(
              RScript.Mode.READ_WRITE,
              COUNT,
              RScript.ReturnType.LONG,
              List.<Object>of(live()),
              linkId)
          .whenComplete(
              (n, e) -> {
                if (e != null) {
                  Log.debugf("view of share link %s not counted: %s", linkId, e.getMessage());
                }
              });
    } catch (RuntimeException e) {
      Log.debugf("view of share link %s not counted: %s", linkId, e.getMessage());
    }
  }

  /** Views of these links not in the database yet (0 for each when Redis is unreachable). */
  public Map<String, Long> pending(Collection<String> linkIds) {
    Map<String, Long> counts = new HashMap<>();
    if (linkIds.isEmpty()) {
      return counts;
    }
    Set<String> ids = Set.copyOf(linkIds);
    try {
      for (String key : List.of(live(), flushing())) {
        redisson
            .<String, String>getMap(key, StringCodec.INSTANCE)
            .getAll(ids)
            .forEach((id, n) -> counts.merge(id, Long.parseLong(n), Long::sum));
      }
    } catch (RuntimeException e) {
      Log.debugf("pending share views unavailable: %s", e.getMessage());
    }
    return counts;
  }

  @Scheduled(
      every = "${capstan.share.view-flush-every}",
      delayed = "1s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduledFlush() {
    flush();
  }

  /** One flush, if no other instance is flushing; the number of links whose count moved. */
  public int flush() {
    RLock lock = redisson.getLock(config.redis().namespace() + ":locks:share-views");
    try {
      if (!lock.tryLock()) {
        return 0;
      }
    } catch (RuntimeException e) {
      Log.debugf("share views not flushed (Redis unavailable): %s", e.getMessage());
      return 0;
    }
    try {
      List<Object> flat =
          script()
              .eval(
                  RScript.Mode.READ_WRITE,
                  TAKE,
                  RScript.ReturnType.LIST,
                  List.<Object>of(live(), flushing()));
      Map<String, Long> batch = new LinkedHashMap<>();
      for (int i = 0; i + 1 < flat.size(); i += 2) {
        batch.put(String.valueOf(flat.get(i)), Long.parseLong(String.valueOf(flat.get(i + 1))));
      }
      if (batch.isEmpty()) {
        return 0;
      }
      QuarkusTransaction.requiringNew()
          .run(
              () ->
                  batch.forEach(
                      (id, n) ->
                          ShareLinkEntity.update(
                              "viewCount = viewCount + ?1 where id = ?2", n, id)));
      redisson.getKeys().delete(flushing());
      return batch.size();
    } catch (RuntimeException e) {
      Log.warnf("share views not flushed (the next flush retries): %s", e.getMessage());
      return 0;
    } finally {
      try {
        lock.unlock();
      } catch (RuntimeException e) {
        Log.debugf("share views lock not released (it expires): %s", e.getMessage());
      }
    }
  }

  private RScript script() {
    return redisson.getScript(StringCodec.INSTANCE);
  }

  private String live() {
    return config.redis().namespace() + ":share-views";
  }

  private String flushing() {
    return config.redis().namespace() + ":share-views:flushing";
  }
}
