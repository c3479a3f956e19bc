package dev.capstan.worker.transcode;

import java.awt.image.BufferedImage;
import org.bytedeco.javacv.FFmpegFrameFilter;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameFilter;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Turns a decoded picture into a small RGB image of a fixed size, scaled by swscale (an FFmpeg
 * filter) rather than in Java; used for the few frames the poster and the storyboard keep.
 */
final class Thumbnailer implements AutoCloseable {
  private final int width;
  private final int height;
  private final Java2DFrameConverter converter = new Java2DFrameConverter();
  private FFmpegFrameFilter filter;
  private int inWidth;
  private int inHeight;

  Thumbnailer(int width, int height) {
    this.width = width;
    this.height = height;
  }

  /** A copy of {@code picture} at this thumbnailer's size, or null if the filter kept it. */
  BufferedImage take(Frame picture, int pixelFormat) throws FrameFilter.Exception {
    if (filter == null || picture.imageWidth != inWidth || picture.imageHeight != inHeight) {
      close();
      inWidth = picture.imageWidth;
      inHeight = picture.imageHeight;
      filter =
          new FFmpegFrameFilter(
              "scale=%d:%d:flags=bicubic,setsar=1,format=bgr24".formatted(width, height),
              inWidth,
              inHeight);
      filter.setPixelFormat(pixelFormat);
      filter.start();
    }
    filter.push(picture, pixelFormat);
    Frame scaled = filter.pullImage();
    if (scaled == null) {
      return null;
    }
    // The converter reuses its image for the next frame: keep a copy of our own.
    BufferedImage shared = converter.convert(scaled);
    BufferedImage copy = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    copy.getGraphics().drawImage(shared, 0, 0, null);
    return copy;
  }

  @Override
  public void close() throws FrameFilter.Exception {
    if (filter != null) {
      filter.close();
      filter = null;
    }
  }
}
