package org.litsxg.conformance.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Pbkdf2Test {

    @Test
    void matchesTheRfc7914TestVector() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
        byte[] dk = Pbkdf2.derive("passwd".getBytes(StandardCharsets.US_ASCII),
                "salt".getBytes(StandardCharsets.US_ASCII), 1, 64);
        assertEquals("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783", HexFormat.of().formatHex(dk));
    }

    @Test
    void findsTheLayoutOfARow() {
        byte[] salt = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", "alice");
        row.put("algorithm", "PBKDF2-HMAC-SHA256");
        row.put("iterations", 1000L);
        row.put("salt", salt);
        row.put("hash", Pbkdf2.derive("secret-123".getBytes(StandardCharsets.UTF_8), salt, 1000, 32));
        row.put("created_at", 1_700_000_000L);
        Pbkdf2.Layout l = Pbkdf2.find(row, "secret-123").orElseThrow();
        assertEquals("salt", l.saltColumn());
        assertEquals("iterations", l.iterationsColumn());
        assertEquals("hash", l.hashColumn());
        assertTrue(Pbkdf2.find(row, "other-secret").isEmpty());
    }

    private static Map<String, Object> oneColumn(String value) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", "alice");
        row.put("password", value);
        row.put("created_at", 1_700_000_000L);
        return row;
    }

    /** PHC, passlib and Django strings in one column: found, and rewritten in the same form. */
    @Test
    void readsAndRewritesParameterStringsInOneColumn() {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] key = Pbkdf2.derive("secret-123".getBytes(StandardCharsets.UTF_8), salt, 1200, 32);
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        String phc = "$pbkdf2-sha256$i=1200$" + b64.withoutPadding().encodeToString(salt) + "$"
                + b64.withoutPadding().encodeToString(key);
        String passlib = "$pbkdf2-sha256$1200$" + b64.withoutPadding().encodeToString(salt).replace('+', '.') + "$"
                + b64.withoutPadding().encodeToString(key).replace('+', '.');
        String django = "pbkdf2_sha256$1200$0123456789abcdef$" + b64.encodeToString(key);
        for (String value : new String[] {phc, passlib, django}) {
            Map<String, Object> row = oneColumn(value);
            Pbkdf2.Layout l = Pbkdf2.find(row, "secret-123").orElseThrow(() -> new AssertionError(value));
            assertEquals(1200, l.iterations(), value);
            assertEquals("password", l.hashColumn());
            Map<String, Object> rewritten = l.rewrite(row, "secret-123", 3000);
            Map<String, Object> after = new LinkedHashMap<>(row);
            after.putAll(rewritten);
            Pbkdf2.Layout again = Pbkdf2.find(after, "secret-123").orElseThrow(() -> new AssertionError(rewritten));
            assertEquals(3000, again.iterations(), rewritten.toString());
            String[] before = value.split("\\$");
            String[] now = ((String) after.get("password")).split("\\$");
            assertEquals(before.length, now.length, value);
            for (int k = 0; k < before.length; k++) {
                if (before[k].contains("pbkdf2")) {
                    assertEquals(before[k], now[k], "the scheme is kept");
                } else if (before[k].endsWith("1200")) {
                    assertEquals(before[k].replace("1200", "3000"), now[k], "the iteration field keeps its form");
                }
            }
        }
        assertTrue(Pbkdf2.find(oneColumn(phc), "other-secret").isEmpty());
    }

    /** JSON parameters in one column, the key in another. */
    @Test
    void readsAndRewritesJsonParameters() {
        byte[] salt = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        byte[] key = Pbkdf2.derive("secret-123".getBytes(StandardCharsets.UTF_8), salt, 1500, 32);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", "alice");
        row.put("hash", key);
        row.put("params", "{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": 1500, \"salt\": \""
                + java.util.Base64.getEncoder().encodeToString(salt) + "\"}");
        Pbkdf2.Layout l = Pbkdf2.find(row, "secret-123").orElseThrow();
        assertEquals(1500, l.iterations());
        assertEquals("params.iterations", l.iterationsField().toString());
        Map<String, Object> after = new LinkedHashMap<>(row);
        after.putAll(l.rewrite(row, "secret-123", new byte[24], 2500));
        Pbkdf2.Layout again = Pbkdf2.find(after, "secret-123").orElseThrow(() -> new AssertionError(after));
        assertEquals(2500, again.iterations());
        assertEquals(24, again.salt().length);
        assertTrue(((String) after.get("params")).startsWith("{\"algorithm\": \"pbkdf2-sha256\", \"iterations\": 2500,"));
    }
}
