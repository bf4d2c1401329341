package io.sluice.admin.source;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.sluice.admin.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts credentials at rest with AES-256-GCM. The key comes from {@code sluice.encryption-key} (Base64 of 32
 * bytes, for example from the environment as {@code SLUICE_ENCRYPTION_KEY}); in the production profile the
 * server refuses to start without it. In dev and test a key is generated once into {@code <data-dir>/secret.key}
 * (owner-only permissions). Created at boot ({@link Startup}), so that a bad key stops the server then, not at the
 * first credential. Thread-safe.
 */
@ApplicationScoped
@Startup
public class SecretBox {
    private static final int IV_BYTES = 12;
    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    SecretBox() {
        this.key = null; // CDI proxy only
    }

    @Inject
    public SecretBox(SluiceConfig config) {
        this.key = new SecretKeySpec(keyBytes(config), "AES");
    }

    private static byte[] keyBytes(SluiceConfig config) {
        if (config.encryptionKey().isPresent()) {
            byte[] k;
            try {
                k = Base64.getDecoder().decode(config.encryptionKey().get().trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("Sluice cannot start: sluice.encryption-key is not Base64; expected Base64 of 32 random bytes (openssl rand -base64 32)");
            }
            if (k.length != 32) {
                throw new ConfigurationException("Sluice cannot start: sluice.encryption-key decodes to " + k.length + " bytes; expected 32 (openssl rand -base64 32)");
            }
            return k;
        }
        if (LaunchMode.current() == LaunchMode.NORMAL && !config.allowGeneratedKey()) {
            throw new ConfigurationException("Sluice cannot start: sluice.encryption-key is not set: the production server needs it to encrypt source and sink"
                    + " credentials. Set SLUICE_ENCRYPTION_KEY to the output of 'openssl rand -base64 32' (keep it: without it the"
                    + " stored credentials cannot be read).");
        }
        Path file = Path.of(config.dataDir()).resolve("secret.key");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            }
            Files.createDirectories(file.getParent());
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            Files.writeString(file, Base64.getEncoder().encodeToString(k), StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** Encrypts a secret: Base64 of IV and ciphertext. */
    public String encrypt(String plain) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + ct.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(ct, 0, out, iv.length, ct.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JVM", e);
        }
    }

    /**
     * Decrypts what {@link #encrypt} produced.
     *
     * @throws IllegalStateException if the key is not the one the secret was encrypted with
     */
    public String decrypt(String sealed) {
        try {
            byte[] in = Base64.getDecoder().decode(sealed);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, IV_BYTES));
            return new String(c.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored credential cannot be decrypted: is sluice.encryption-key the key it was stored with?");
        }
    }
}
