package dev.capstan.cli.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PartChecksumTest {
  private static final byte[] DATA = "hello part".getBytes(StandardCharsets.US_ASCII);
  private static final String MD5 = PartChecksum.md5Hex(DATA, DATA.length);

  @Test
  void md5_is_the_hex_digest_of_the_bytes_sent() {
    assertThat(PartChecksum.md5Hex("abc".getBytes(StandardCharsets.US_ASCII), 3))
        .isEqualTo("900150983cd24fb0d6963f7d28e17f72");
    assertThat(PartChecksum.md5Hex(new byte[] {'a', 'b', 'c', 'x'}, 3))
        .as("only the first length bytes")
        .isEqualTo("900150983cd24fb0d6963f7d28e17f72");
  }

  @Test
  void a_quoted_etag_with_the_same_md5_confirms_the_part() {
    assertThat(PartChecksum.contradicts("\"" + MD5 + "\"", MD5)).isFalse();
    assertThat(PartChecksum.contradicts("W/\"" + MD5.toUpperCase() + "\"", MD5)).isFalse();
  }

  @Test
  void an_etag_with_another_md5_means_damaged_bytes() {
    assertThat(PartChecksum.contradicts("\"900150983cd24fb0d6963f7d28e17f72\"", MD5)).isTrue();
  }

  @Test
  void an_etag_that_is_not_an_md5_cannot_be_checked_and_is_accepted() {
    assertThat(PartChecksum.contradicts("\"abc123-kms\"", MD5)).isFalse();
  }
}
