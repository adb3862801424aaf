package org.litsxg.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.litsxg.conformance.support.Escapes;

/** The model's reading of a client line, against the spec's examples (CMD, WIRE, LIMIT-1). */
class LineTest {

    private static final String[] CASES = {
        "PING|PING", "PING\\r|PING", "PING |SYNTAX", "ping|UNKNOWN", "' PING'|UNKNOWN", "VERSION|UNKNOWN",
        "QUIT|QUIT", "QUIT now|SYNTAX", "''|EMPTY", "\\r|EMPTY", "\\rPING|BAD_ENCODING", "PI\\x00NG|BAD_ENCODING",
        "PING\\xFF|BAD_ENCODING", "SEND bob \\u{85}|BAD_ENCODING", "SEND bob \\t x |SEND", "SEND bob|SYNTAX",
        "SEND bob |SYNTAX", "SEND  bob x|SYNTAX", "SEND Bob x|SYNTAX", "SEND _bob x|SYNTAX",
        "AUTH bob 12345678|AUTH", "AUTH bob 1234567|SYNTAX", "AUTH bob 12345678 |SYNTAX", "AUTH bob tab\\tsecret|SYNTAX",
        "AUTH bob ключ-1234|AUTH", "AUTH <33 × a> 12345678|SYNTAX", "AUTH <32 × a> 12345678|AUTH",
        "SEND <4086 × x>|SYNTAX", "SEND a <4089 × x>|SEND", "SEND a <4090 × x>|TOO_LONG", "SEND a <4089 × x>\\r|SEND"};

    @TestFactory
    Stream<DynamicTest> classifiesLinesAsTheSpecDoes() {
        return Stream.of(CASES).map(c -> {
            String[] p = c.split("\\|");
            String escaped = p[0].replaceAll("^'(.*)'$", "$1");
            return DynamicTest.dynamicTest(escaped + " -> " + p[1],
                    () -> assertEquals(Line.Kind.valueOf(p[1]), Line.of(Escapes.decode(escaped)).kind()));
        });
    }

    @Test
    void theTextOfASendIsEveryByteAfterTheNameAndItsSpace() {
        Line l = Line.of("SEND bob  two  spaces ".getBytes(StandardCharsets.UTF_8));
        assertEquals("bob", l.name());
        assertArrayEquals(" two  spaces ".getBytes(StandardCharsets.UTF_8), l.arg());
    }
}
