package org.litsxg.conformance.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ready line's address check (PROC-8) by known-answer vectors: each address as a build may be
 * given it, with the one text its ready line must show (RFC 5952 section 4 and its examples), and
 * texts of the same addresses that are not canonical, each with the rule it breaks.
 */
class ReadyLineAddressTest {

    /** The address as bound, and the text the ready line must show for it. */
    private static final String[][] CANONICAL = {
        {"127.0.0.1", "127.0.0.1"},
        {"0.0.0.0", "0.0.0.0"},
        {"10.20.30.40", "10.20.30.40"},
        {"::1", "[::1]"},
        {"[::1]", "[::1]"},
        {"0:0:0:0:0:0:0:1", "[::1]"},
        {"::", "[::]"},
        {"0:0:0:0:0:0:0:0", "[::]"},
        {"1:0:0:0:0:0:0:0", "[1::]"},
        {"FE80:0:0:0:0:0:1:2", "[fe80::1:2]"},
        // RFC 5952 4.1: leading zeros suppressed.
        {"2001:0db8::0001", "[2001:db8::1]"},
        // 4.2.1: :: shortens as much as possible.
        {"2001:db8:0:0:0:0:2:1", "[2001:db8::2:1]"},
        // 4.2.2: not for a single 0 field.
        {"2001:db8:0:1:1:1:1:1", "[2001:db8:0:1:1:1:1:1]"},
        // 4.2.3: the longest run; of two as long, the first.
        {"2001:0:0:1:0:0:0:1", "[2001:0:0:1::1]"},
        {"2001:db8:0:0:1:0:0:1", "[2001:db8::1:0:0:1]"},
        // 4.3: lower case.
        {"2001:DB8::ABCD", "[2001:db8::abcd]"},
    };

    /** A ready line's text, the address it was meant to name, and the rule the text breaks. */
    private static final String[][] NOT_CANONICAL = {
        {"[0:0:0:0:0:0:0:1]", "::1", "4.2.1"},
        {"[2001:db8:0:0:0::2:1]", "2001:db8::2:1", "4.2.1"},
        {"[2001:0db8::1]", "2001:db8::1", "4.1"},
        {"[2001:db8::1:1:1:1:1]", "2001:db8:0:1:1:1:1:1", "4.2.2"},
        {"[2001::1:0:0:0:1]", "2001:0:0:1:0:0:0:1", "4.2.3"},
        {"[2001:db8:0:0:1::1]", "2001:db8:0:0:1:0:0:1", "4.2.3"},
        {"[2001:DB8::1]", "2001:db8::1", "4.3"},
        {"::1", "::1", "brackets"},
        {"127.000.0.1", "127.0.0.1", "leading zeros"},
    };

    @Test
    void theCanonicalTextNamesTheAddressBound() {
        for (String[] v : CANONICAL) {
            assertEquals(List.of(), AddressText.violations(v[1]), v[1]);
            assertTrue(ReadyLine.sameAddress(v[1], v[0]), v[1] + " names " + v[0]);
        }
    }

    @Test
    void anyOtherTextOfTheSameAddressIsRefusedWithTheRuleItBreaks() {
        for (String[] v : NOT_CANONICAL) {
            assertTrue(AddressText.parse(v[0]).isPresent(), v[0] + " is an address");
            assertFalse(ReadyLine.sameAddress(v[0], v[1]), v[0] + " is not the canonical text of " + v[1]);
            assertTrue(String.join("; ", AddressText.violations(v[0])).contains(v[2]),
                    v[0] + " breaks " + v[2] + ": " + AddressText.violations(v[0]));
        }
    }

    @Test
    void anotherAddressIsNotNamed() {
        assertFalse(ReadyLine.sameAddress("[::]", "0.0.0.0"));
        assertFalse(ReadyLine.sameAddress("0.0.0.0", "::"));
        assertFalse(ReadyLine.sameAddress("[::2]", "::1"));
        assertFalse(ReadyLine.sameAddress("127.0.0.2", "127.0.0.1"));
        assertFalse(ReadyLine.sameAddress("localhost", "127.0.0.1"));
        assertFalse(ReadyLine.sameAddress("", "127.0.0.1"));
    }

    @Test
    void readsOnlyAddressText() {
        for (String bad : List.of("1.2.3", "1.2.3.4.5", "256.0.0.1", "1::2::3", "1:2:3:4:5:6:7:8:9", "[1:2:3]",
                "12345::1", "g::1", "::1:2:3:4:5:6:7:8")) {
            assertTrue(AddressText.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    void splitsTheReadyLineAtItsLastColon() {
        ReadyLine.Named n = ReadyLine.parse("litsxg listening on [::1]:7667");
        assertEquals("[::1]", n.host());
        assertEquals("7667", n.port());
        assertEquals(new ReadyLine.Named("", ""), ReadyLine.parse("litsxg listening on nowhere"));
    }
}
