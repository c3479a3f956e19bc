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
   * Turns a probed source into the MP4 download rendition and a poster, written into {@code
   * outputDir}.
   *
   * @throws MediaRejected when the source turns out undecodable part way
   * @throws TranscodeStopped when the listener asked to stop
   */
  TranscodeResult transcode(
      Path source, SourceMedia media, Path outputDir, TranscodeListener listener);
}
