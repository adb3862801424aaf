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
}
