package org.litsxg.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2-HMAC-SHA256 (brief, "Persistence"). The algorithm name, iteration count and
 * salt are stored on every row, so a build with other defaults still verifies old rows.
 * Thread-safe; every method blocks for the whole key derivation (tens of milliseconds at the
 * default cost), so it is never called on the selector thread.
 */
final class PasswordHash {
    static final String ALGORITHM = "PBKDF2-HMAC-SHA256";
    static final int DEFAULT_ITERATIONS = 100_000;
    static final int MIN_ITERATIONS = 1_000;
    static final int SALT_BYTES = 16;
    static final int KEY_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A stored hash with its parameters. */
    record Hashed(String algorithm, int iterations, byte[] salt, byte[] hash) {
    }

    private PasswordHash() {
    }

    static Hashed create(String secret, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new Hashed(ALGORITHM, iterations, salt, derive(secret, salt, iterations, KEY_BYTES));
    }

    /** True when {@code secret} matches the stored row; an unknown algorithm never matches. */
    static boolean verify(String secret, Hashed stored) {
        if (!ALGORITHM.equals(stored.algorithm()) || stored.iterations() < 1 || stored.hash().length == 0) {
            return false;
        }
        byte[] candidate = derive(secret, stored.salt(), stored.iterations(), stored.hash().length);
        return MessageDigest.isEqual(candidate, stored.hash());
    }

    private static byte[] derive(String secret, byte[] salt, int iterations, int keyBytes) {
        // PBEKeySpec takes chars; the secret's UTF-8 bytes are what the wire carried, so hash those
        // by mapping each byte to one char (ISO-8859-1), which PBKDF2 feeds back as the same bytes.
        char[] chars = new String(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1).toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, keyBytes * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }
}
