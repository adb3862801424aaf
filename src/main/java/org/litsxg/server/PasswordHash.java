package org.litsxg.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

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

    /**
     * True when {@code secret} matches the stored row; an unknown algorithm never matches. Rows
     * written before 2026-11-22 for a secret with non-ASCII characters hold the key of a doubly
     * encoded secret (see {@link #legacyPassword}); they are verified in that form too, and
     * never rewritten (no migration, UPG-2).
     */
    static boolean verify(String secret, Hashed stored) {
        if (!ALGORITHM.equals(stored.algorithm()) || stored.iterations() < 1 || stored.hash().length == 0) {
            return false;
        }
        byte[] password = secret.getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(derive(password, stored.salt(), stored.iterations(), stored.hash().length), stored.hash())) {
            return true;
        }
        byte[] legacy = legacyPassword(password);
        return !Arrays.equals(legacy, password)
                && MessageDigest.isEqual(derive(legacy, stored.salt(), stored.iterations(), stored.hash().length), stored.hash());
    }

    private static byte[] derive(String secret, byte[] salt, int iterations, int keyBytes) {
        return derive(secret.getBytes(StandardCharsets.UTF_8), salt, iterations, keyBytes);
    }

    /**
     * What earlier builds hashed instead of the secret's UTF-8 bytes: they passed the bytes to
     * the JDK's PBKDF2 as one char each (ISO-8859-1), and the JDK encodes chars as UTF-8, so
     * every byte from 0x80 up became two. The same bytes for an ASCII secret.
     */
    static byte[] legacyPassword(byte[] utf8) {
        return new String(utf8, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * PBKDF2-HMAC-SHA256 (RFC 8018, section 5.2) of {@code password}'s bytes. The HMAC key's
     * inner and outer blocks are hashed once, and each iteration continues from copies of those
     * two states: two SHA-256 compressions an iteration where {@code javax.crypto.Mac} spends
     * four, so half the CPU for every registration and every AUTH of a known name.
     * PasswordHashTest holds it to the JDK's own PBKDF2.
     */
    static byte[] derive(byte[] password, byte[] salt, int iterations, int keyBytes) {
        MessageDigest inner = sha256();
        MessageDigest outer = sha256();
        byte[] key = password.length > BLOCK ? sha256().digest(password) : password;
        byte[] pad = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ 0x36);
        }
        inner.update(pad);
        for (int i = 0; i < BLOCK; i++) {
            pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ 0x5c);
        }
        outer.update(pad);
        Arrays.fill(pad, (byte) 0);
        byte[] out = new byte[keyBytes];
        byte[] u = new byte[DIGEST];
        byte[] t = new byte[DIGEST];
        try {
            for (int block = 1, offset = 0; offset < keyBytes; block++, offset += DIGEST) {
                MessageDigest in = copy(inner);
                in.update(salt);
                in.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
                in.digest(u, 0, DIGEST);
                MessageDigest o = copy(outer);
                o.update(u);
                o.digest(u, 0, DIGEST);
                System.arraycopy(u, 0, t, 0, DIGEST);
                for (int j = 1; j < iterations; j++) {
                    in = copy(inner);
                    in.update(u);
                    in.digest(u, 0, DIGEST);
                    o = copy(outer);
                    o.update(u);
                    o.digest(u, 0, DIGEST);
                    for (int k = 0; k < DIGEST; k++) {
                        t[k] ^= u[k];
                    }
                }
                System.arraycopy(t, 0, out, offset, Math.min(DIGEST, keyBytes - offset));
            }
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 refused a 32-byte output buffer", e);
        } finally {
            Arrays.fill(u, (byte) 0);
            Arrays.fill(t, (byte) 0);
        }
        return out;
    }

    private static final int BLOCK = 64;
    private static final int DIGEST = 32;

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static MessageDigest copy(MessageDigest d) {
        try {
            return (MessageDigest) d.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be copied", e);
        }
    }
}
