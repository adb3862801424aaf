package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReadyLineTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 127.0.0.1:7667",
        "0.0.0.0, 0.0.0.0:7667",
        "::1, [::1]:7667",
        "::, [::]:7667",
        "0:0:0:0:0:0:0:1, [::1]:7667",
        "2001:db8:0:0:1:0:0:1, [2001:db8::1:0:0:1]:7667",
        "2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]:7667",
        "fe80:0:0:0:0:0:0:0, [fe80::]:7667",
    })
    void namesTheBoundAddressCanonically(String bind, String expected) throws Exception {
        InetSocketAddress bound = new InetSocketAddress(InetAddress.getByName(bind), 7667);
        assertEquals(expected, ReadyLine.format(bind, bound));
    }
}
