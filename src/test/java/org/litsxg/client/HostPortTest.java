package org.litsxg.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @ParameterizedTest
    @CsvSource({
        "localhost:7667, localhost, 7667",
        "127.0.0.1:1, 127.0.0.1, 1",
        "xyz.onion:65535, xyz.onion, 65535",
        "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvw.onion:7667, abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvw.onion, 7667",
        "example.com.:80, example.com., 80",
        "my_host-1.example:08080, my_host-1.example, 8080",
    })
    void parsesHostNamesAndIpv4(String text, String host, int port) {
        HostPort hp = HostPort.parse(text);
        assertEquals(host, hp.host());
        assertEquals(port, hp.port());
        assertFalse(hp.isIpv6());
    }

    @ParameterizedTest
    @CsvSource({
        "[::1]:7667, ::1",
        "[2001:db8::1]:80, 2001:db8::1",
        "[::ffff:127.0.0.1]:80, ::ffff:127.0.0.1",
        "[FE80::1]:80, FE80::1",
    })
    void parsesBracketedIpv6(String text, String host) {
        HostPort hp = HostPort.parse(text);
        assertEquals(host, hp.host());
        assertTrue(hp.isIpv6());
        assertEquals(text, hp.toString());
    }

    @Test
    void toStringIsTheCommandLineForm() {
        assertEquals("xyz.onion:7667", HostPort.parse("xyz.onion:7667").toString());
        assertEquals("[::1]:7667", new HostPort("::1", 7667).toString());
        assertEquals(HostPort.parse("[::1]:7667"), new HostPort("::1", 7667));
    }

    @Test
    void acceptsAHostOfExactly255Bytes() {
        String host = ("a".repeat(63) + ".").repeat(4).substring(0, 255);
        assertEquals(255, HostPort.parse(host + ":1").host().length());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "localhost",
        "localhost:",
        ":7667",
        "host:0",
        "host:65536",
        "host:123456",
        "host:-1",
        "host:+80",
        "host:80x",
        "host: 80",
        "::1:7667",
        "::1",
        "[::1]",
        "[::1]7667",
        "[::1]:",
        "[]:80",
        "[localhost]:80",
        "[127.0.0.1]:80",
        "[::g]:80",
        "[1:2:3:4:5:6:7:8:9]:80",
        "[fe80::1%eth0]:80",
        "ho st:80",
        "-host:80",
        ".host:80",
        "a..b:80",
        "h\u00e9te:80",
        "host\n:80",
    })
    void rejectsMalformedValuesWithOneLine(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
        assertFalse(e.getMessage().isBlank());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void rejectsAHostLongerThan255Bytes() {
        String host = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(64);
        assertEquals(256, host.length());
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(host + ":7667"));
    }

    @Test
    void nullIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(null));
        assertThrows(IllegalArgumentException.class, () -> new HostPort(null, 1));
    }

    @Test
    void messageNamesTheProblem() {
        assertTrue(messageOf("::1:7667").contains("brackets"), messageOf("::1:7667"));
        assertTrue(messageOf("host:0").contains("1..65535"), messageOf("host:0"));
        assertEquals("'host\\u000a:80' is not host:port ('host\\u000a' is not a valid host name or address)",
                messageOf("host\n:80"));
    }

    private static String messageOf(String text) {
        return assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text)).getMessage();
    }
}
