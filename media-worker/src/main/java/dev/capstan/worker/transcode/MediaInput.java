package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FORCE;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import dev.capstan.model.video.FailureReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.ffmpeg.avformat.Write_packet_Pointer_BytePointer_int;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * A source opened by libavformat (streams found): a complete local file by its path, or an {@link
 * ArrivingFile} through I/O callbacks that wait for the bytes still on their way. A read that can
 * never be served (the download failed or was stopped) ends FFmpeg's read with an I/O error, and
 * {@link #rethrowReadFailure} then says why, so it is not taken for a broken source.
 */
final class MediaInput implements AutoCloseable {
  private static final int BUFFER_BYTES = 1 << 16;
  private static final int EIO = -5; // AVERROR(EIO)

  // JavaCPP has a few native slots per callback class: one instance of each, and the opaque pointer
  // (the format context) says which input a call is for.
  private static final Map<Long, MediaInput> ARRIVING = new ConcurrentHashMap<>();
  private static final ReadCallback READ = new ReadCallback();
  private static final SeekCallback SEEK = new SeekCallback();

  private final AVFormatContext context;
  private final ArrivingFile file;
  private final long key;
  private AVIOContext io;
  private long position;
  private byte[] chunk = new byte[0];
  private volatile IOException failure;

  private MediaInput(AVFormatContext context, ArrivingFile file) {
    this.context = context;
    this.file = file;
    this.key = context.address();
  }

  /** Opens a complete local file. */
  static MediaInput open(Path source) {
    return opened(new MediaInput(new AVFormatContext(null), null), source.toString());
  }

  /** Opens a file that may still be arriving; reads wait for its bytes. */
  static MediaInput open(ArrivingFile source) {
    MediaInput in = new MediaInput(avformat_alloc_context(), source);
    BytePointer buffer = new BytePointer(av_malloc(BUFFER_BYTES)).capacity(BUFFER_BYTES);
    in.io =
        avio_alloc_context(
            buffer,
            BUFFER_BYTES,
            0,
            in.context,
            READ,
            (Write_packet_Pointer_BytePointer_int) null,
            SEEK);
    in.context.pb(in.io);
    ARRIVING.put(in.key, in);
    return opened(in, "");
  }

  private static MediaInput opened(MediaInput in, String url) {
    int ret = avformat_open_input(in.context, url, null, null);
    if (ret < 0) {
      in.close();
      in.rethrowReadFailure();
      throw new MediaRejected(FailureReason.UNSUPPORTED_MEDIA, JavaCvTranscoder.ffmpegError(ret));
    }
    ret = avformat_find_stream_info(in.context, (PointerPointer<?>) null);
    if (ret < 0) {
      in.close();
      in.rethrowReadFailure();
      throw new MediaRejected(FailureReason.UNSUPPORTED_MEDIA, JavaCvTranscoder.ffmpegError(ret));
    }
    return in;
  }

  AVFormatContext context() {
    return context;
  }

  /**
   * After an FFmpeg error: throws when it came from a read that could not be served (the source did
   * not arrive), as {@link TranscodeStopped} when {@code listener} asked to stop; returns when the
   * error is the media's own.
   */
  void rethrowReadFailure(TranscodeListener listener) {
    if (failure != null && listener.shouldStop()) {
      throw new TranscodeStopped("stopped while the source was arriving");
    }
    rethrowReadFailure();
  }

  /** As {@link #rethrowReadFailure(TranscodeListener)}, for a caller that cannot be stopped. */
  void rethrowReadFailure() {
    if (failure != null) {
      throw new UncheckedIOException("source not readable: " + failure.getMessage(), failure);
    }
  }

  private int read(BytePointer buf, int size) {
    try {
      if (chunk.length < size) {
        chunk = new byte[size];
      }
      int n = file.read(position, chunk, 0, size);
      if (n < 0) {
        return AVERROR_EOF;
      }
      buf.position(0).put(chunk, 0, n);
      position += n;
      return n;
    } catch (IOException e) {
      failure = e;
      return EIO;
    } catch (RuntimeException e) {
      failure = new IOException(e);
      return EIO;
    }
  }

  private long seek(long offset, int whence) {
    long size = file.size();
    switch (whence & ~AVSEEK_FORCE) {
      case AVSEEK_SIZE -> {
        return size;
      }
      case 0 -> position = offset; // SEEK_SET
      case 1 -> position += offset; // SEEK_CUR
      case 2 -> position = size + offset; // SEEK_END
      default -> {
        return -1;
      }
    }
    return position;
  }

  @Override
  public void close() {
    if (!context.isNull()) {
      avformat_close_input(context); // a custom I/O context is left to us
    }
    if (io != null) {
      if (io.buffer() != null && !io.buffer().isNull()) {
        av_free(io.buffer());
      }
      avio_context_free(io);
      io = null;
    }
    ARRIVING.remove(key);
  }

  private static final class ReadCallback extends Read_packet_Pointer_BytePointer_int {
    @Override
    public int call(Pointer opaque, BytePointer buf, int size) {
      MediaInput in = ARRIVING.get(opaque.address());
      return in == null ? EIO : in.read(buf, size);
    }
  }

  private static final class SeekCallback extends Seek_Pointer_long_int {
    @Override
    public long call(Pointer opaque, long offset, int whence) {
      MediaInput in = ARRIVING.get(opaque.address());
      return in == null ? -1 : in.seek(offset, whence);
    }
  }
}
