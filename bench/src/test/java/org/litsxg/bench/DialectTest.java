package org.litsxg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The generator's reading of server lines, for both dialects, as the servers send them. */
class DialectTest {
    private static Dialect.Event irc(String line) {
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        return Dialect.IRC.classify(b, 0, b.length);
    }

    private static Dialect.Event litsxg(String line) {
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        return Dialect.LITSXG.classify(b, 0, b.length);
    }

    @Test
    void ircLinesOfNgircdAndInspircdAreRead() {
        assertEquals(Dialect.Event.REGISTERED, irc(":bench.litsxg.local 001 b1 :Welcome to the Bench IRC Network b1!b1@127.0.0.1"));
        assertEquals(Dialect.Event.MESSAGE, irc(":b2!b2@127.0.0.1 PRIVMSG b1 :00000000000000ff xxxxxxx"));
        assertEquals(Dialect.Event.PONG, irc(":bench.litsxg.local PONG bench.litsxg.local :bench"));
        assertEquals(Dialect.Event.SERVER_PING, irc("PING :bench.litsxg.local"));
        assertEquals(Dialect.Event.ERROR, irc(":bench.litsxg.local 401 b1 b9 :No such nick"));
        assertEquals(Dialect.Event.ERROR, irc("ERROR :Closing link: (b1@127.0.0.1) [Excess Flood]"));
        assertEquals(Dialect.Event.OTHER, irc(":bench.litsxg.local 422 b1 :Message of the day file is missing."));
        assertEquals(Dialect.Event.OTHER, irc(":bench.litsxg.local 005 b1 AWAYLEN=200 :are supported by this server"));
    }

    @Test
    void litsxgLinesAreRead() {
        assertEquals(Dialect.Event.REGISTERED, litsxg("OK registered"));
        assertEquals(Dialect.Event.REGISTERED, litsxg("OK authenticated"));
        assertEquals(Dialect.Event.ACK, litsxg("OK delivered"));
        assertEquals(Dialect.Event.QUEUED, litsxg("OK queued"));
        assertEquals(Dialect.Event.MESSAGE, litsxg("MSG b2 00000000000000ff xxxxxxx"));
        assertEquals(Dialect.Event.ERROR, litsxg("ERR queue-full"));
    }

    @Test
    void aServerPingIsAnsweredWithItsToken() {
        byte[] ping = "PING :abc".getBytes(StandardCharsets.US_ASCII);
        assertEquals("PONG :abc\r\n", new String(Dialect.pongFor(ping, 0, ping.length), StandardCharsets.US_ASCII));
    }
}
