package dev.capstan.api.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NearCacheTest {
  private static final int CALLERS = 32;

  private final ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
  private final List<Thread> callers = new ArrayList<>();

  @AfterEach
  void stopThePool() throws Exception {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Submits {@code CALLERS} concurrent gets of one key; returns once all are blocked in it. */
  private List<Future<Optional<String>>> concurrentMisses(
      NearCache<String> cache, java.util.function.Supplier<Optional<String>> loader) {
    List<Future<Optional<String>>> results = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      results.add(
          pool.submit(
              () -> {
                synchronized (callers) {
                  callers.add(Thread.currentThread());
                }
                return cache.get("hot", loader);
              }));
    }
    // Every caller is parked: one inside the loader, the others waiting for its result.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              synchronized (callers) {
                return callers.size() == CALLERS
                    && callers.stream()
                        .allMatch(
                            t ->
                                t.getState() == Thread.State.WAITING
                                    || t.getState() == Thread.State.TIMED_WAITING);
              }
            });
    return results;
  }

  private static void awaitRelease(CountDownLatch release) {
    try {
      assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void concurrent_misses_of_one_key_run_one_load_and_all_get_its_value() throws Exception {
    NearCache<String> cache = new NearCache<>("test", Duration.ofMinutes(1), 100);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger loads = new AtomicInteger();

    List<Future<Optional<String>>> results =
        concurrentMisses(
            cache,
            () -> {
              loads.incrementAndGet();
              awaitRelease(release);
              return Optional.of("value");
            });
    release.countDown();

    for (Future<Optional<String>> r : results) {
      assertThat(r.get(10, TimeUnit.SECONDS)).contains("value");
    }
    assertThat(loads).hasValue(1);
    assertThat(cache.loads()).isEqualTo(1);
    // And the next read is served from memory.
    assertThat(cache.get("hot", () -> Optional.of("other"))).contains("value");
    assertThat(loads).hasValue(1);
  }

  @Test
  void concurrent_misses_of_a_missing_key_run_one_load_and_cache_nothing() throws Exception {
    NearCache<String> cache = new NearCache<>("test", Duration.ofMinutes(1), 100);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger loads = new AtomicInteger();

    List<Future<Optional<String>>> results =
        concurrentMisses(
            cache,
            () -> {
              loads.incrementAndGet();
              awaitRelease(release);
              return Optional.empty();
            });
    release.countDown();

    for (Future<Optional<String>> r : results) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isEmpty();
    }
    assertThat(loads).hasValue(1);
    assertThat(cache.get("hot", () -> Optional.of("created since"))).contains("created since");
  }

  @Test
  void a_failed_load_reaches_its_waiters_and_is_not_cached() {
    NearCache<String> cache = new NearCache<>("test", Duration.ofMinutes(1), 100);
    assertThatThrownBy(
            () ->
                cache.get(
                    "k",
                    () -> {
                      throw new IllegalStateException("database down");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("database down");
    assertThat(cache.get("k", () -> Optional.of("back"))).contains("back");
  }

  @Test
  void an_invalidation_during_a_load_keeps_its_result_out_of_the_cache() {
    NearCache<String> cache = new NearCache<>("test", Duration.ofMinutes(1), 100);
    Optional<String> stale =
        cache.get(
            "k",
            () -> {
              // The write that makes this read stale lands while it runs.
              cache.invalidate("k");
              return Optional.of("stale");
            });
    assertThat(stale).contains("stale");
    assertThat(cache.get("k", () -> Optional.of("fresh"))).contains("fresh");
    assertThat(cache.peek("k")).contains("fresh");
    cache.invalidateAll();
    assertThat(cache.peek("k")).isEmpty();
  }

  @Test
  void answers_from_memory_count_as_hits_and_misses_as_loads() {
    NearCache<String> cache = new NearCache<>("test", Duration.ofMinutes(1), 100);
    assertThat(cache.peek("k")).isEmpty();
    assertThat(cache.get("k", () -> Optional.of("v"))).contains("v");
    assertThat(cache.get("k", () -> Optional.of("other"))).contains("v");
    assertThat(cache.peek("k")).contains("v");
    assertThat(cache.get("missing", Optional::empty)).isEmpty();

    assertThat(cache.hits()).isEqualTo(2);
    assertThat(cache.loads()).isEqualTo(2);
  }
}
