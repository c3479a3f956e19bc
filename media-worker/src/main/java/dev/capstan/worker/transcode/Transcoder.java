package dev.capstan.worker.transcode;

import java.nio.file.Path;

/** Port to the media engine. */
public interface Transcoder {

  /**
   * Reads what the source is, without decoding it.
   *
   * @throws MediaRejected when it is no media we can use or breaks the limits
   */
  SourceMedia probe(Path source);

  /**
   * As {@link #probe(Path)}, for a source still arriving: it reads only the head it needs (all of
   * it when the container keeps its index at the end), waiting for those bytes.
   *
   * @throws MediaRejected when it is no media we can use or breaks the limits
   * @throws java.io.UncheckedIOException when the source stopped arriving
   */
  SourceMedia probe(ArrivingFile source);

  /**
   * Turns a probed source into its renditions, written into {@code outputDir}: the HLS tree, the
   * MP4 download (M4A for audio only), the poster and the storyboard.
   *
   * @throws MediaRejected when the source turns out undecodable part way
   * @throws TranscodeStopped when the listener asked to stop
   * @throws TranscodeStalled when the position in the source stopped advancing
   */
  TranscodeResult transcode(
      Path source, SourceMedia media, Path outputDir, TranscodeListener listener);
}
