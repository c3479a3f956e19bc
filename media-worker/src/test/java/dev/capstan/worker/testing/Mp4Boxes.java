package dev.capstan.worker.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Reads the order of the top-level boxes of an MP4 file, straight from its bytes. */
public final class Mp4Boxes {
  private Mp4Boxes() {}

  public static List<String> topLevel(Path file) throws IOException {
    List<String> types = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long pos = 0;
      long end = ch.size();
      ByteBuffer header = ByteBuffer.allocate(16);
      while (pos + 8 <= end) {
        header.clear().limit(8);
        ch.read(header, pos);
        header.flip();
        long size = Integer.toUnsignedLong(header.getInt());
        byte[] type = new byte[4];
        header.get(type);
        types.add(new String(type, StandardCharsets.ISO_8859_1));
        if (size == 1) {
          header.clear().limit(8);
          ch.read(header, pos + 8);
          header.flip();
          size = header.getLong();
        } else if (size == 0) {
          size = end - pos;
        }
        if (size < 8) {
          throw new IOException("corrupt box at " + pos);
        }
        pos += size;
      }
    }
    return types;
  }
}
