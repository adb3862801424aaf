package org.litsxg.conformance.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * PBKDF2-HMAC-SHA256 (RFC 8018) over raw bytes, and the search that finds, on an identity
 * row of unknown layout, which columns hold the salt, the iteration count and the derived
 * key of a known secret. The kit uses it to check STORE-5 from outside and to re-key a row
 * for STORE-6; it never needs the build's code.
 */
public final class Pbkdf2 {

    /** How a byte string is kept in a column. */
    public enum Encoding {
        BLOB, HEX, BASE64;

        Object encode(byte[] b) {
            return switch (this) {
                case BLOB -> b;
                case HEX -> HexFormat.of().formatHex(b);
                case BASE64 -> Base64.getEncoder().encodeToString(b);
            };
        }
    }

    /** Where a row keeps its salt, iteration count and derived key. */
    public record Layout(String saltColumn, Encoding saltEncoding, byte[] salt, String iterationsColumn,
            long iterations, String hashColumn, Encoding hashEncoding, int keyLength) {

        /** The hash column's new value for {@code secret} with {@code newIterations}. */
        public Object hashFor(String secret, int newIterations) {
            return hashEncoding.encode(derive(secret.getBytes(StandardCharsets.UTF_8), salt, newIterations, keyLength));
        }
    }

    private Pbkdf2() {
    }

    /** The derived key. Blocks for the time the iterations take (100000: about 0.1 s). */
    public static byte[] derive(byte[] password, byte[] salt, long iterations, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            if (password.length == 0) {
                throw new IllegalArgumentException("an empty password is not a Litsxg secret");
            }
            mac.init(new SecretKeySpec(password, "HmacSHA256"));
            byte[] out = new byte[length];
            int blocks = (length + 31) / 32;
            for (int i = 1; i <= blocks; i++) {
                mac.update(salt);
                mac.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
                byte[] u = mac.doFinal();
                byte[] t = u.clone();
                for (long j = 1; j < iterations; j++) {
                    u = mac.doFinal(u);
                    for (int k = 0; k < t.length; k++) {
                        t[k] ^= u[k];
                    }
                }
                System.arraycopy(t, 0, out, (i - 1) * 32, Math.min(32, length - (i - 1) * 32));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private record Candidate(String column, Encoding encoding, byte[] bytes) {
    }

    private static List<Candidate> byteStrings(Map<String, Object> row) {
        List<Candidate> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : row.entrySet()) {
            Object v = e.getValue();
            if (v instanceof byte[] b && b.length >= 8 && b.length <= 128) {
                out.add(new Candidate(e.getKey(), Encoding.BLOB, b));
            } else if (v instanceof String s) {
                if (s.matches("(?i)[0-9a-f]{16,256}") && s.length() % 2 == 0) {
                    out.add(new Candidate(e.getKey(), Encoding.HEX, HexFormat.of().parseHex(s)));
                } else if (s.matches("[A-Za-z0-9+/]{11,200}={0,2}")) {
                    try {
                        byte[] b = Base64.getDecoder().decode(s);
                        if (b.length >= 8) {
                            out.add(new Candidate(e.getKey(), Encoding.BASE64, b));
                        }
                    } catch (IllegalArgumentException ignored) {
                        // Not base64 after all.
                    }
                }
            }
        }
        return out;
    }

    /**
     * Finds the salt, iteration count and derived key of {@code secret} on {@code row}: some
     * column holds bytes S (the salt), an integer column N (1 to 10^7, the iterations), and
     * another column bytes H with H = PBKDF2-HMAC-SHA256(secret, S, N, |H|). Tries every
     * combination; each costs one derivation.
     */
    public static Optional<Layout> find(Map<String, Object> row, String secret) {
        byte[] password = secret.getBytes(StandardCharsets.UTF_8);
        List<Candidate> strings = byteStrings(row);
        for (Map.Entry<String, Object> it : row.entrySet()) {
            if (!(it.getValue() instanceof Long n) || n < 1 || n > 10_000_000) {
                continue;
            }
            for (Candidate salt : strings) {
                for (Candidate hash : strings) {
                    if (hash.column().equals(salt.column()) || hash.bytes().length < 16 || hash.bytes().length > 64) {
                        continue;
                    }
                    byte[] derived = derive(password, salt.bytes(), n, hash.bytes().length);
                    if (java.security.MessageDigest.isEqual(derived, hash.bytes())) {
                        return Optional.of(new Layout(salt.column(), salt.encoding(), salt.bytes(), it.getKey(), n,
                                hash.column(), hash.encoding(), hash.bytes().length));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
