package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avutil.av_image_copy_to_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_image_fill_arrays;
import static org.bytedeco.ffmpeg.global.avutil.av_image_get_buffer_size;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Runs every encoder of a transcode on a thread of its own, fed by the one decode: the decoding
 * thread copies each picture once into a small pool and hands the same copy to every encoder that
 * takes pictures (it goes back to the pool when the last one is done with it), and hands each
 * encoder that takes sound its own copy of the samples. Fed one after the other on the decoding
 * thread, the encoders waited for each other; apart, each libx264 can run single-threaded, which
 * costs less CPU than its frame threads do. Encoders of the same picture size (the 720p rung and
 * the MP4) share one scaling: the first scales, exactly as its recorder would, and hands the scaled
 * copy to the others, so they skip their own.
 *
 * <p>The pool holds the decoder back (back-pressure): it waits while every picture is still with an
 * encoder, checking for a stop request and a stall while it waits. The first encoder to fail fails
 * the transcode with its error, naming its output; the others are stopped. An encoder's recorder
 * belongs to this fan-out once {@link #add added}: it is stopped, and released, on the encoder's
 * own thread, and {@link #close} leaves no thread running.
 */
final class EncoderFanOut implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EncoderFanOut.class.getName());
  private static final long POLL_MS = 100;
  private static final Pattern FFMPEG_ERROR = Pattern.compile("error (-\\d+)");

  /** A picture copy this large at most per slot; fewer slots for big frames. */
  private static final long POOL_BYTES = 64L * 1024 * 1024;

  private static final int MIN_SLOTS = 3;
  private static final int MAX_SLOTS = 8;

  /** Scaled copies a lead shares with its followers. */
  private static final int SCALED_SLOTS = 4;

  /** Encoder threads are named this, then the output's name. */
  static final String THREAD_PREFIX = "capstan-encoder-";

  private final Duration stallTimeout;
  private final BooleanSupplier stopRequested;
  private final List<Encoder> encoders = new ArrayList<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

  /** Items taken by any encoder: moves while the encoders do. */
  private final AtomicLong taken = new AtomicLong();

  private final BlockingQueue<Picture> free = new ArrayBlockingQueue<>(MAX_SLOTS);
  private final List<Picture> slots = new ArrayList<>();
  private boolean started;

  /**
   * @param stallTimeout how long the decoder may be held back without any encoder taking anything
   *     before the transcode counts as stalled
   * @param stopRequested asked while the decoder waits; true stops the transcode
   */
  EncoderFanOut(Duration stallTimeout, BooleanSupplier stopRequested) {
    this.stallTimeout = stallTimeout;
    this.stopRequested = stopRequested;
  }

  /**
   * Hands over a recorder (started or not; this fan-out releases it in any case).
   *
   * @param name the output, as errors name it ({@code 720p}, {@code download.mp4})
   * @param pictures whether it takes the pictures
   * @param sound whether it takes the audio
   */
  void add(String name, FFmpegFrameRecorder recorder, boolean pictures, boolean sound) {
    if (started) {
      throw new IllegalStateException("encoders are added before the first frame");
    }
    encoders.add(new Encoder(name, recorder, pictures, sound));
  }

  /** Hands a decoded picture to every encoder that takes pictures; waits for a free copy. */
  void picture(Frame picture, int pixelFormat) {
    picture(picture, pixelFormat, false);
  }

  /** As above; {@code key}: every encoder must make this picture a keyframe. */
  void picture(Frame picture, int pixelFormat, boolean key) {
    startIfNeeded();
    int takers = 0;
    for (Encoder e : encoders) {
      takers += e.takesSource() ? 1 : 0;
    }
    if (takers == 0) {
      return;
    }
    Picture copy = freePicture(picture, pixelFormat);
    copy.fill(picture, pixelFormat);
    copy.key = key;
    copy.refs.set(takers);
    for (Encoder e : encoders) {
      if (e.takesSource()) {
        e.queue.add(copy);
      }
    }
  }

  /** Hands a copy of decoded audio to every encoder that takes sound. */
  void samples(Frame samples) {
    startIfNeeded();
    throwIfFailed();
    for (Encoder e : encoders) {
      if (e.sound) {
        e.queue.add(new Sound(copyOf(samples)));
      }
    }
  }

  /**
   * Ends the input: every encoder drains its queue, flushes and writes its trailer. Returns when
   * all are done.
   *
   * @throws IllegalStateException naming the output of the first encoder that failed
   * @throws TranscodeStopped when a stop is requested meanwhile
   * @throws TranscodeStalled when no encoder takes or finishes anything for the stall timeout
   */
  void finish() {
    startIfNeeded();
    throwIfFailed();
    for (Encoder e : encoders) {
      if (e.lead == null) {
        e.queue.add(End.INSTANCE); // a lead ends its followers after their last picture
      }
    }
    long seen = taken.get();
    long since = System.nanoTime();
    for (Encoder e : encoders) {
      while (!join(e.thread, POLL_MS)) {
        throwIfFailed();
        since = checkWaiting(seen, since);
        seen = taken.get();
      }
    }
    throwIfFailed();
  }

  /** Stops every encoder still running (unless {@link #finish} ended them) and waits for them. */
  @Override
  public void close() {
    boolean allEnded = true;
    if (!started) {
      for (Encoder e : encoders) {
        release(e);
      }
    } else {
      for (Encoder e : encoders) {
        e.aborted = true;
        e.queue.add(End.INSTANCE);
      }
      for (Encoder e : encoders) {
        // An encoder finishes the frame it is in (milliseconds); one stuck inside FFmpeg is left
        // to end on its own, with its recorder and the copies, rather than freed under it.
        if (!join(e.thread, Math.max(stallTimeout.toMillis(), POLL_MS))) {
          allEnded = false;
          LOG.log(
              System.Logger.Level.WARNING,
              "encoder of {0} did not stop within {1}; left running",
              e.name,
              stallTimeout);
        }
      }
    }
    if (allEnded) {
      for (Encoder e : encoders) {
        e.scaledSlots.forEach(Picture::free);
        e.scaledSlots.clear();
      }
      slots.forEach(Picture::free);
      slots.clear();
    }
  }

  private void startIfNeeded() {
    if (started) {
      return;
    }
    started = true;
    // Encoders of one picture size share one scaling: the first scales, the others take its copy.
    Map<List<Integer>, Encoder> leads = new HashMap<>();
    for (Encoder e : encoders) {
      if (!e.pictures || e.recorder.getImageWidth() <= 0 || e.recorder.getPixelFormat() < 0) {
        continue;
      }
      List<Integer> key =
          List.of(
              e.recorder.getImageWidth(),
              e.recorder.getImageHeight(),
              e.recorder.getPixelFormat(),
              e.recorder.getImageScalingFlags());
      Encoder lead = leads.putIfAbsent(key, e);
      if (lead != null) {
        lead.followers.add(e);
        e.lead = lead;
      }
    }
    for (Encoder e : encoders) {
      e.thread = Thread.ofPlatform().daemon().name(THREAD_PREFIX + e.name).start(e::run);
    }
  }

  /**
   * A free copy for {@code picture}: from the pool, a new one while the pool is below its size,
   * else the first one an encoder gives back.
   */
  private Picture freePicture(Frame picture, int pixelFormat) {
    throwIfFailed();
    Picture p = free.poll();
    if (p != null) {
      return p;
    }
    int bytes = Picture.bytesFor(picture, pixelFormat);
    int maxSlots = (int) Math.clamp(POOL_BYTES / Math.max(1, bytes), MIN_SLOTS, MAX_SLOTS);
    if (slots.size() < maxSlots) {
      Picture made = new Picture(free);
      slots.add(made);
      return made;
    }
    long seen = taken.get();
    long since = System.nanoTime();
    while (true) {
      try {
        p = free.poll(POLL_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TranscodeStopped("transcode interrupted");
      }
      if (p != null) {
        return p;
      }
      throwIfFailed();
      since = checkWaiting(seen, since);
      seen = taken.get();
    }
  }

  /** Between waits: a stop request, a failure, or no encoder moving for the stall timeout. */
  private long checkWaiting(long seenBefore, long since) {
    if (stopRequested.getAsBoolean()) {
      throw new TranscodeStopped("transcode stopped on request");
    }
    long now = System.nanoTime();
    if (taken.get() != seenBefore) {
      return now;
    }
    if (now - since > stallTimeout.toNanos()) {
      throw new TranscodeStalled(
          "no encoder took a frame for %.1f s (stall timeout %.1f s)"
              .formatted((now - since) / 1e9, stallTimeout.toMillis() / 1e3));
    }
    return since;
  }

  private void throwIfFailed() {
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  private static boolean join(Thread t, long millis) {
    if (t == null) {
      return true;
    }
    try {
      return t.join(Duration.ofMillis(millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !t.isAlive();
    }
  }

  private static void release(Encoder e) {
    try {
      e.recorder.release();
    } catch (Exception ex) {
      // Already failing or done; nothing more to free.
    }
  }

  /** What an encoder's queue holds. */
  private sealed interface Item permits Picture, Sound, End {}

  private record Sound(Frame samples) implements Item {}

  /** A lead waiting for its followers gives up: the transcode is ending. */
  private static final class Aborted extends RuntimeException {
    Aborted() {
      super(null, null, false, false);
    }
  }

  private enum End implements Item {
    INSTANCE
  }

  private final class Encoder {
    final String name;
    final FFmpegFrameRecorder recorder;
    final boolean pictures;
    final boolean sound;
    final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    final List<Encoder> followers = new ArrayList<>();
    Encoder lead;
    Thread thread;
    volatile boolean aborted;

    /** A lead's scaled copies, shared with its followers. */
    private final BlockingQueue<Picture> scaledFree = new ArrayBlockingQueue<>(SCALED_SLOTS);

    private final List<Picture> scaledSlots = new ArrayList<>();
    private SwsContext scaler;
    private final AVFrame sourcePlanes = new AVFrame();

    Encoder(String name, FFmpegFrameRecorder recorder, boolean pictures, boolean sound) {
      this.name = name;
      this.recorder = recorder;
      this.pictures = pictures;
      this.sound = sound;
    }

    /** Whether it takes the decoded pictures (a follower takes its lead's copies instead). */
    boolean takesSource() {
      return pictures && lead == null;
    }

    void run() {
      try {
        while (true) {
          Item item = queue.take();
          taken.incrementAndGet();
          switch (item) {
            case End end -> {
              for (Encoder f : followers) {
                f.queue.add(End.INSTANCE);
              }
              if (!aborted) {
                recorder.stop();
              }
              return;
            }
            case Picture p -> {
              try {
                if (!aborted) {
                  encode(p);
                }
              } finally {
                p.release();
              }
            }
            case Sound s -> {
              if (!aborted) {
                recorder.record(s.samples);
              }
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Aborted e) {
        drain();
      } catch (Exception | Error e) {
        failure.compareAndSet(
            null, new IllegalStateException("encoding " + name + " failed: " + readable(e), e));
        // Keep giving the pictures back, so the decoder never waits on this one.
        drain();
      } finally {
        release(this);
        sws_freeContext(scaler);
        scaler = null;
        // The scaled copies may still be with followers: close() frees them once all have ended.
      }
    }

    /** Encodes a picture; a lead first shares it, at its size, with its followers. */
    private void encode(Picture p) throws FrameRecorder.Exception, InterruptedException {
      if (followers.isEmpty()) {
        record(p);
        return;
      }
      int w = recorder.getImageWidth();
      int h = recorder.getImageHeight();
      int format = recorder.getPixelFormat();
      if (p.frame.imageWidth == w && p.frame.imageHeight == h && p.pixelFormat == format) {
        p.refs.addAndGet(followers.size());
        for (Encoder f : followers) {
          f.queue.add(p);
        }
        record(p);
        return;
      }
      Picture scaled = scaledFree.poll();
      if (scaled == null && scaledSlots.size() < SCALED_SLOTS) {
        scaled = new Picture(scaledFree);
        scaledSlots.add(scaled);
      }
      while (scaled == null) {
        scaled = scaledFree.poll(POLL_MS, TimeUnit.MILLISECONDS);
        if (scaled == null && (aborted || failure.get() != null)) {
          throw new Aborted();
        }
      }
      scaler = scaled.scale(p, sourcePlanes, w, h, format, recorder.getImageScalingFlags(), scaler);
      scaled.key = p.key;
      scaled.refs.set(1 + followers.size());
      for (Encoder f : followers) {
        f.queue.add(scaled);
      }
      try {
        record(scaled);
      } finally {
        scaled.release();
      }
    }

    private void record(Picture p) throws FrameRecorder.Exception {
      Frame f = p.frame;
      if (p.key) {
        ForcedKeyframes.mark(recorder, true);
      }
      try {
        recorder.recordImage(
            f.imageWidth,
            f.imageHeight,
            f.imageDepth,
            f.imageChannels,
            f.imageStride,
            p.pixelFormat,
            f.image);
      } finally {
        if (p.key) {
          ForcedKeyframes.mark(recorder, false);
        }
      }
    }

    private void drain() {
      while (true) {
        Item item;
        try {
          item = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (item == End.INSTANCE) {
          return;
        }
        if (item instanceof Picture p) {
          p.release();
        }
      }
    }
  }

  /** The JavaCV message, plus FFmpeg's own words for the error code in it. */
  static String readable(Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    Matcher m = FFMPEG_ERROR.matcher(message);
    if (m.find()) {
      byte[] buf = new byte[256];
      av_strerror(Integer.parseInt(m.group(1)), buf, buf.length);
      int len = 0;
      while (len < buf.length && buf[len] != 0) {
        len++;
      }
      if (len > 0) {
        return message + " (" + new String(buf, 0, len, StandardCharsets.UTF_8) + ")";
      }
    }
    return message;
  }

  /**
   * A copy of decoded samples in heap arrays of their own (the decoder reuses its buffers, and a
   * recorder copies heap arrays without allocating).
   */
  static Frame copyOf(Frame samples) {
    Frame copy = new Frame();
    copy.sampleRate = samples.sampleRate;
    copy.audioChannels = samples.audioChannels;
    copy.timestamp = samples.timestamp;
    copy.samples = new Buffer[samples.samples.length];
    for (int i = 0; i < samples.samples.length; i++) {
      copy.samples[i] =
          switch (samples.samples[i]) {
            case ByteBuffer b -> {
              byte[] a = new byte[b.remaining()];
              b.duplicate().get(a);
              yield ByteBuffer.wrap(a);
            }
            case ShortBuffer b -> {
              short[] a = new short[b.remaining()];
              b.duplicate().get(a);
              yield ShortBuffer.wrap(a);
            }
            case IntBuffer b -> {
              int[] a = new int[b.remaining()];
              b.duplicate().get(a);
              yield IntBuffer.wrap(a);
            }
            case FloatBuffer b -> {
              float[] a = new float[b.remaining()];
              b.duplicate().get(a);
              yield FloatBuffer.wrap(a);
            }
            case DoubleBuffer b -> {
              double[] a = new double[b.remaining()];
              b.duplicate().get(a);
              yield DoubleBuffer.wrap(a);
            }
            case LongBuffer b -> {
              long[] a = new long[b.remaining()];
              b.duplicate().get(a);
              yield LongBuffer.wrap(a);
            }
            default ->
                throw new IllegalArgumentException(
                    "unexpected sample buffer " + samples.samples[i].getClass());
          };
    }
    return copy;
  }

  /**
   * A picture copy shared by the encoders, counted: back to the pool when the last one is done.
   * Packed tightly (each row exactly as wide as the picture), the layout a recorder assumes.
   */
  private static final class Picture implements Item {
    private final BlockingQueue<Picture> home;
    final AtomicInteger refs = new AtomicInteger();
    final Frame frame = new Frame();
    int pixelFormat;

    /** A keyframe is forced here (the copied rung's segment starts). */
    volatile boolean key;

    private final AVFrame source = new AVFrame();
    private BytePointer memory;
    private int allocated;

    private final AVFrame target = new AVFrame();

    /**
     * @param home where it goes back when the last encoder is done with it
     */
    Picture(BlockingQueue<Picture> home) {
      this.home = home;
    }

    /** Bytes of {@code picture} packed tightly. */
    static int bytesFor(Frame picture, int pixelFormat) {
      return av_image_get_buffer_size(pixelFormat, picture.imageWidth, picture.imageHeight, 1);
    }

    /**
     * Copies {@code picture}, whose planes follow each other with rows {@code imageStride} bytes
     * apart (as the grabber and a filter hand them out), into this slot, packed tightly.
     */
    void fill(Frame picture, int pixelFormat) {
      int bytes = bytesFor(picture, pixelFormat);
      if (bytes <= 0) {
        throw new IllegalStateException(
            "cannot copy a %dx%d picture of pixel format %d"
                .formatted(picture.imageWidth, picture.imageHeight, pixelFormat));
      }
      ensure(bytes);
      BytePointer in = new BytePointer((ByteBuffer) picture.image[0]).position(0);
      PointerPointer<?> planes = new PointerPointer<>(source);
      av_image_fill_arrays(
          planes, source.linesize(), in, pixelFormat, picture.imageStride, picture.imageHeight, 1);
      int ret =
          av_image_copy_to_buffer(
              memory.position(0),
              bytes,
              planes,
              source.linesize(),
              pixelFormat,
              picture.imageWidth,
              picture.imageHeight,
              1);
      if (ret < 0) {
        throw new IllegalStateException("cannot copy a picture: FFmpeg error " + ret);
      }
      frame.imageWidth = picture.imageWidth;
      frame.imageHeight = picture.imageHeight;
      frame.imageDepth = picture.imageDepth;
      frame.imageChannels = picture.imageChannels;
      frame.imageStride = picture.imageWidth;
      this.pixelFormat = pixelFormat;
    }

    /**
     * Scales {@code source} into this slot, packed tightly, exactly as a recorder would scale it
     * for itself (same swscale call and layouts), with {@code planes} as scratch for the source's
     * plane pointers; returns the (cached) scaling context.
     */
    SwsContext scale(
        Picture source, AVFrame planes, int w, int h, int format, int flags, SwsContext cached) {
      int bytes = av_image_get_buffer_size(format, w, h, 1);
      ensure(bytes);
      Frame in = source.frame;
      SwsContext sws =
          sws_getCachedContext(
              cached,
              in.imageWidth,
              in.imageHeight,
              source.pixelFormat,
              w,
              h,
              format,
              flags != 0 ? flags : SWS_BILINEAR,
              null,
              null,
              (DoublePointer) null);
      if (sws == null) {
        throw new IllegalStateException(
            "cannot scale %dx%d to %dx%d".formatted(in.imageWidth, in.imageHeight, w, h));
      }
      PointerPointer<?> from = new PointerPointer<>(planes);
      av_image_fill_arrays(
          from,
          planes.linesize(),
          source.memory.position(0),
          source.pixelFormat,
          in.imageWidth,
          in.imageHeight,
          1);
      PointerPointer<?> to = new PointerPointer<>(target);
      av_image_fill_arrays(to, target.linesize(), memory.position(0), format, w, h, 1);
      sws_scale(sws, from, planes.linesize(), 0, in.imageHeight, to, target.linesize());
      frame.imageWidth = w;
      frame.imageHeight = h;
      frame.imageDepth = in.imageDepth;
      frame.imageChannels = in.imageChannels;
      frame.imageStride = w;
      pixelFormat = format;
      return sws;
    }

    private void ensure(int bytes) {
      if (memory == null || allocated < bytes) {
        free();
        memory = new BytePointer(bytes);
        allocated = bytes;
        frame.image = new Buffer[] {memory.asBuffer()};
      }
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        home.add(this);
      }
    }

    void free() {
      if (memory != null) {
        memory.deallocate();
        memory = null;
        allocated = 0;
      }
    }
  }
}
