package org.litsxg.conformance.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ReadyLineAddressTest {

    @Test
    void writesIpv6AsRfc5952() throws Exception {
        assertEquals("[::1]", ServerSteps.canonical(InetAddress.getByName("0:0:0:0:0:0:0:1")));
        assertEquals("[::]", ServerSteps.canonical(InetAddress.getByName("::")));
        assertEquals("[2001:db8::1:0:0:1]", ServerSteps.canonical(InetAddress.getByName("2001:db8:0:0:1:0:0:1")));
        assertEquals("[2001:db8:0:1:1:1:1:1]", ServerSteps.canonical(InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
        assertEquals("[fe80::1:2]", ServerSteps.canonical(InetAddress.getByName("FE80:0:0:0:0:0:1:2")));
    }

    @Test
    void acceptsOnlyTheCanonicalForm() {
        assertTrue(ServerSteps.sameAddress("[::1]", "[::1]"));
        assertFalse(ServerSteps.sameAddress("[0:0:0:0:0:0:0:1]", "[::1]"));
        assertTrue(ServerSteps.sameAddress("0.0.0.0", "0.0.0.0"));
        assertFalse(ServerSteps.sameAddress("[::]", "0.0.0.0"));
        assertTrue(ServerSteps.sameAddress("127.0.0.1", "127.0.0.1"));
    }
}
