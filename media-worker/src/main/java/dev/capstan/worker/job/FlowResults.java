package dev.capstan.worker.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the steps of a flow hand to its finishing step, as JSON in {@code jobs.result}: each chunk
 * its segments per rung, its storyboard tiles and poster candidate, the audio child its audio
 * rendition, the parent what it knows of the whole video (and the audio when it copied it). Keys
 * are full S3 keys under the parent attempt's prefix.
 */
final class FlowResults {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private FlowResults() {}

  record Segment(String key, long frames, long bytes) {}

  record Rung(
      String name,
      int width,
      int height,
      String level,
      String codecs,
      String initKey,
      String initSha256,
      List<Segment> segments) {}

  /** A chunk's storyboard tiles: {@code tiles} from number {@code firstTile}, side by side. */
  record Tiles(String key, int firstTile, int tiles) {}

  /** A chunk's best poster candidate and its measure. */
  record Poster(String key, int width, int height, long bytes, double score) {}

  /**
   * A child's result: a picture chunk's segments per rung, tiles and poster candidate, or (the
   * audio child) {@code audio} alone, with no rungs.
   */
  record Chunk(
      int parentAttempt,
      int index,
      long frames,
      List<Rung> rungs,
      Tiles tiles,
      Poster poster,
      Audio audio) {}

  /** A parent attempt's finished children: the picture chunks by index and the audio, if done. */
  record Children(SortedMap<Integer, Chunk> chunks, Audio audio) {

    /** Sorts the results of the parent's succeeded children, keeping those of {@code attempt}. */
    static Children of(List<String> resultsJson, int attempt) {
      TreeMap<Integer, Chunk> byIndex = new TreeMap<>();
      Audio audio = null;
      for (String json : resultsJson) {
        Chunk c = read(json, Chunk.class);
        if (c.parentAttempt() != attempt) {
          continue;
        }
        if (c.audio() != null) {
          audio = c.audio();
        } else {
          byIndex.put(c.index(), c);
        }
      }
      return new Children(byIndex, audio);
    }
  }

  record Audio(String playlistKey, long peakBps, long averageBps, String codecs, long bytes) {}

  /**
   * The top rung as the parent stream-copied it from the source and published (VOD already): its
   * playlist and what the master and its row say of it.
   */
  record Copied(
      String name,
      int width,
      int height,
      String codecs,
      String playlistKey,
      long peakBps,
      long averageBps,
      long bytes) {}

  record Parent(
      double fps,
      double durationSeconds,
      int width,
      int height,
      boolean hasAudio,
      Audio audio,
      Copied copied) {}

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a flow result", e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable flow result: " + e.getOriginalMessage(), e);
    }
  }
}
