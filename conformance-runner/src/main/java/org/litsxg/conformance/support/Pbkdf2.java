package org.litsxg.conformance.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.litsxg.conformance.report.Json;

/**
 * PBKDF2-HMAC-SHA256 (RFC 8018) over raw bytes, and the search that finds, on an identity
 * row of unknown layout, where the salt, the iteration count and the derived key of a known
 * secret are kept. The kit uses it to check STORE-5 from outside and to re-key a row for
 * STORE-6 and the upgrade fixture; it never needs the build's code.
 *
 * <p>What it reads (spec STORE-5, version 1.1): each value in a column of its own (the
 * reference schema: salt and key as BLOB, hex or Base64, iterations an INTEGER); a string of
 * {@code $}-separated fields in one column, such as a PHC string
 * {@code $pbkdf2-sha256$i=N$<salt>$<key>} (standard Base64 with or without padding, or
 * passlib's adapted Base64 with {@code .} for {@code +}, iterations as {@code i=N} or
 * {@code N}) or Django's {@code pbkdf2_sha256$N$<salt>$<key>} (the salt used as its text);
 * and a JSON object in one column holding some of the parameters. An encoding it cannot read
 * gives no layout: the caller reports the check NOT RUN, never FAILED.
 */
public final class Pbkdf2 {

    /** How a byte string is kept. */
    public enum Encoding {
        BLOB, HEX, BASE64, BASE64_NOPAD, AB64, RAW;

        Object encode(byte[] b) {
            return switch (this) {
                case BLOB -> b;
                case HEX -> HexFormat.of().formatHex(b);
                case BASE64 -> Base64.getEncoder().encodeToString(b);
                case BASE64_NOPAD -> Base64.getEncoder().withoutPadding().encodeToString(b);
                case AB64 -> Base64.getEncoder().withoutPadding().encodeToString(b).replace('+', '.');
                case RAW -> new String(b, StandardCharsets.UTF_8);
            };
        }
    }

    /**
     * Where a value sits: a column of its own ({@code part} null), the {@code k}-th
     * {@code $}-separated field of a column ({@code part} {@code "$k"}), or a member of a JSON
     * object in a column ({@code part} {@code ".name"}).
     */
    public record Field(String column, String part) {
        @Override
        public String toString() {
            return part == null ? column : column + part;
        }
    }

    /** Where a row keeps its salt, iteration count and derived key, and how. */
    public record Layout(Field saltField, Encoding saltEncoding, byte[] salt, Field iterationsField, long iterations,
            Field hashField, Encoding hashEncoding, byte[] hash) {

        public int keyLength() {
            return hash.length;
        }

        /** The column holding the salt. */
        public String saltColumn() {
            return saltField.column();
        }

        /** The iteration column, when the count has a column of its own. */
        public String iterationsColumn() {
            return iterationsField.column();
        }

        /** The column holding the key. */
        public String hashColumn() {
            return hashField.column();
        }

        /** Whether the salt must be text (kept as its own characters, as Django does). */
        public boolean textSalt() {
            return saltEncoding == Encoding.RAW;
        }

        /**
         * The new values of the columns this layout touches so that {@code row} holds
         * {@code secret} derived with {@code newSalt} and {@code newIterations}, in the same
         * layout and encodings (the key keeps its length).
         */
        public Map<String, Object> rewrite(Map<String, Object> row, String secret, byte[] newSalt, long newIterations) {
            byte[] key = derive(secret.getBytes(StandardCharsets.UTF_8), newSalt, newIterations, hash.length);
            Map<String, Object> out = new LinkedHashMap<>();
            put(out, row, saltField, saltEncoding.encode(newSalt));
            put(out, row, iterationsField, newIterations);
            put(out, row, hashField, hashEncoding.encode(key));
            return out;
        }

        /** As {@link #rewrite} with this row's own salt. */
        public Map<String, Object> rewrite(Map<String, Object> row, String secret, long newIterations) {
            return rewrite(row, secret, salt, newIterations);
        }

        private static void put(Map<String, Object> out, Map<String, Object> row, Field f, Object value) {
            if (f.part() == null) {
                out.put(f.column(), value);
                return;
            }
            String current = (String) out.getOrDefault(f.column(), row.get(f.column()));
            out.put(f.column(), f.part().startsWith("$") ? replaceSegment(current, Integer.parseInt(f.part()
                    .substring(1)), value) : replaceMember(current, f.part().substring(1), value));
        }

        private static String replaceSegment(String s, int k, Object value) {
            String[] seg = s.split("\\$", -1);
            if (value instanceof Long n) {
                // Keep what surrounds the number: "i=" before it, ",l=32" after it.
                Matcher m = ITER_SEGMENT.matcher(seg[k]);
                seg[k] = m.matches() ? m.group(1) + n + m.group(3) : n.toString();
            } else {
                seg[k] = value.toString();
            }
            return String.join("$", seg);
        }

        private static String replaceMember(String json, String name, Object value) {
            Matcher m = Pattern.compile("(\"" + Pattern.quote(name) + "\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9]+)")
                    .matcher(json);
            if (!m.find()) {
                throw new IllegalStateException("no member " + name + " in " + json);
            }
            boolean quoted = m.group(2).startsWith("\"");
            String literal = value instanceof Long n && !quoted ? n.toString() : "\"" + value + "\"";
            return json.substring(0, m.start(2)) + literal + json.substring(m.end(2));
        }
    }

    private static final Pattern ITER_SEGMENT = Pattern.compile("((?:[a-z]+=)?)([0-9]{1,9})((?:,.*)?)");

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

    private record Candidate(Field field, Encoding encoding, byte[] bytes) {
    }

    private record Count(Field field, long value) {
    }

    /** The values of a row spread into fields: columns, '$'-separated segments, JSON members. */
    private static void fields(Map<String, Object> row, List<Candidate> strings, List<Count> counts) {
        for (Map.Entry<String, Object> e : row.entrySet()) {
            Object v = e.getValue();
            String column = e.getKey();
            if (v instanceof Long n) {
                counts.add(new Count(new Field(column, null), n));
            } else if (v instanceof byte[] b) {
                if (b.length >= 8 && b.length <= 128) {
                    strings.add(new Candidate(new Field(column, null), Encoding.BLOB, b));
                }
            } else if (v instanceof String s) {
                if (s.startsWith("{")) {
                    json(column, s, strings, counts);
                } else if (s.indexOf('$') >= 0) {
                    String[] seg = s.split("\\$", -1);
                    for (int k = 0; k < seg.length; k++) {
                        Field f = new Field(column, "$" + k);
                        Matcher m = ITER_SEGMENT.matcher(seg[k]);
                        if (m.matches()) {
                            counts.add(new Count(f, Long.parseLong(m.group(2))));
                        } else {
                            decodings(f, seg[k], true, strings);
                        }
                    }
                } else {
                    decodings(new Field(column, null), s, false, strings);
                }
            }
        }
    }

    private static void json(String column, String text, List<Candidate> strings, List<Count> counts) {
        Object parsed;
        try {
            parsed = Json.read(text);
        } catch (RuntimeException notJson) {
            return;
        }
        if (!(parsed instanceof Map<?, ?> members)) {
            return;
        }
        for (Map.Entry<?, ?> m : members.entrySet()) {
            Field f = new Field(column, "." + m.getKey());
            if (m.getValue() instanceof Long n) {
                counts.add(new Count(f, n));
            } else if (m.getValue() instanceof String s) {
                decodings(f, s, false, strings);
            }
        }
    }

    /** Every way {@code s} may encode a byte string; RAW (the text itself) only inside a '$' string. */
    private static void decodings(Field f, String s, boolean raw, List<Candidate> out) {
        if (s.matches("(?i)[0-9a-f]{16,256}") && s.length() % 2 == 0) {
            out.add(new Candidate(f, Encoding.HEX, HexFormat.of().parseHex(s)));
        }
        if (s.matches("[A-Za-z0-9+/]{11,200}={1,2}")) {
            add(out, f, Encoding.BASE64, s);
        } else if (s.matches("[A-Za-z0-9+/]{11,200}")) {
            add(out, f, Encoding.BASE64_NOPAD, s);
        } else if (s.matches("[A-Za-z0-9./]{11,200}")) {
            add(out, f, Encoding.AB64, s.replace('.', '+'));
        }
        if (raw && s.length() >= 8 && s.length() <= 128) {
            out.add(new Candidate(f, Encoding.RAW, s.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static void add(List<Candidate> out, Field f, Encoding e, String b64) {
        try {
            String padded = b64.replace("=", "") + "==".substring(0, (4 - b64.replace("=", "").length() % 4) % 4);
            if (b64.replace("=", "").length() % 4 == 1) {
                return;
            }
            byte[] b = Base64.getDecoder().decode(padded);
            if (b.length >= 8) {
                out.add(new Candidate(f, e, b));
            }
        } catch (IllegalArgumentException ignored) {
            // Not Base64 after all.
        }
    }

    /**
     * Finds the salt, iteration count and derived key of {@code secret} on {@code row}: some
     * field holds bytes S (the salt), an integer field N (1 to 10^7, the iterations), and
     * another field bytes H with H = PBKDF2-HMAC-SHA256(secret, S, N, |H|). Tries every
     * combination; each costs one derivation.
     */
    public static Optional<Layout> find(Map<String, Object> row, String secret) {
        byte[] password = secret.getBytes(StandardCharsets.UTF_8);
        List<Candidate> strings = new ArrayList<>();
        List<Count> counts = new ArrayList<>();
        fields(row, strings, counts);
        for (Count n : counts) {
            if (n.value() < 1 || n.value() > 10_000_000) {
                continue;
            }
            for (Candidate hash : strings) {
                if (hash.bytes().length < 16 || hash.bytes().length > 64 || hash.encoding() == Encoding.RAW) {
                    continue;
                }
                for (Candidate salt : strings) {
                    if (hash.field().equals(salt.field())) {
                        continue;
                    }
                    byte[] derived = derive(password, salt.bytes(), n.value(), hash.bytes().length);
                    if (java.security.MessageDigest.isEqual(derived, hash.bytes())) {
                        return Optional.of(new Layout(salt.field(), salt.encoding(), salt.bytes(), n.field(), n.value(),
                                hash.field(), hash.encoding(), hash.bytes()));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
