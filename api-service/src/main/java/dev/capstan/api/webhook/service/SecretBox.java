package dev.capstan.api.webhook.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.error.ServiceUnavailable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Encrypts webhook secrets at rest with AES-256-GCM (random 96-bit nonce per value). */
@ApplicationScoped
public class SecretBox {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private final SecureRandom random = new SecureRandom();

  @Inject ApiConfig config;

  public boolean enabled() {
    return config.webhooks().encryptionKey().isPresent();
  }

  public String seal(String plain) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder()
          .encodeToString(
              ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt", e);
    }
  }

  public String open(String sealed) {
    try {
      byte[] all = Base64.getDecoder().decode(sealed);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      return new String(
          c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot decrypt a webhook secret (wrong key?)", e);
    }
  }

  private SecretKeySpec key() {
    String encoded =
        config
            .webhooks()
            .encryptionKey()
            .orElseThrow(
                () ->
                    new ServiceUnavailable(
                        "webhooks_disabled",
                        "webhooks need capstan.webhooks.encryption-key on the server"));
    byte[] key = Base64.getDecoder().decode(encoded);
    if (key.length != 32) {
      throw new IllegalStateException("capstan.webhooks.encryption-key must be 32 bytes (base64)");
    }
    return new SecretKeySpec(key, "AES");
  }
}
