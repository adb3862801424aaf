package org.litsxg.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class Socks5Test {

    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final HostPort ONION = new HostPort("xyz.onion", 7667);

    // --- against a real SOCKS5 proxy on loopback ---

    @Test
    void connectsThroughTheProxyWithTheHostNameUnresolved() throws Exception {
        try (TestLineServer lineServer = new TestLineServer();
             TestSocks5Proxy proxy = new TestSocks5Proxy(lineServer.port(), 0);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            Socks5.connect(socket.getInputStream(), socket.getOutputStream(), proxy.address(), ONION);

            TestSocks5Proxy.Request request = proxy.requests.poll(10, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {5, 1, 0}, request.greeting(), "greeting: version 5, one method, no-auth");
            assertEquals(1, request.command(), "CONNECT");
            assertEquals(3, request.atyp(), "host name sent unresolved (ATYP 3)");
            assertEquals("xyz.onion", request.host());
            assertEquals(7667, request.port());
            assertNull(proxy.violations.poll());

            OutputStream out = socket.getOutputStream();
            out.write("PING\nSEND bob h\u00e9llo there\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("PONG", in.readLine());
            assertEquals("ECHO SEND bob h\u00e9llo there", in.readLine());
            assertEquals("PING", lineServer.received.poll(10, TimeUnit.SECONDS));
            assertEquals("SEND bob h\u00e9llo there", lineServer.received.poll(10, TimeUnit.SECONDS));

            socket.shutdownOutput();
            assertEquals("EOF-SEEN", in.readLine(), "half-close relayed to the server");
            assertNull(in.readLine());
        }
    }

    @Test
    void aFailureReplyGivesTheSpecificError() throws Exception {
        try (TestSocks5Proxy proxy = new TestSocks5Proxy(1, 0x04);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            Socks5.HandshakeException e = assertThrows(Socks5.HandshakeException.class,
                    () -> Socks5.connect(socket.getInputStream(), socket.getOutputStream(), proxy.address(), ONION));
            assertEquals("SOCKS5 proxy 127.0.0.1:" + proxy.port()
                    + " refused the connection: host unreachable (reply 0x04)", e.getMessage());
            assertEquals("xyz.onion", proxy.requests.poll(10, TimeUnit.SECONDS).host());
        }
    }

    // --- the bytes, on plain streams ---

    @Test
    void requestBytesForAHostName() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        Socks5.connect(reply(success(1, new byte[4])), sent, proxy(), new HostPort("xyz.onion", 0x1DF3));
        byte[] expected = concat(
                new byte[] {5, 1, 0},
                new byte[] {5, 1, 0, 3, 9}, "xyz.onion".getBytes(StandardCharsets.US_ASCII), new byte[] {0x1D, (byte) 0xF3});
        assertArrayEquals(expected, sent.toByteArray());
    }

    @Test
    void requestBytesForIpLiterals() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        Socks5.connect(reply(success(1, new byte[4])), sent, proxy(), new HostPort("10.0.0.255", 80));
        assertArrayEquals(new byte[] {5, 1, 0, 5, 1, 0, 1, 10, 0, 0, (byte) 255, 0, 80}, sent.toByteArray());

        sent.reset();
        Socks5.connect(reply(success(1, new byte[4])), sent, proxy(), HostPort.parse("[::1]:7667"));
        byte[] loopback6 = new byte[16];
        loopback6[15] = 1;
        assertArrayEquals(concat(new byte[] {5, 1, 0, 5, 1, 0, 4}, loopback6, new byte[] {0x1D, (byte) 0xF3}),
                sent.toByteArray());
    }

    @Test
    void aHostNameThatOnlyLooksNumericIsSentAsAName() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        Socks5.connect(reply(success(1, new byte[4])), sent, proxy(), new HostPort("300.1.1.1", 80));
        assertEquals(3, sent.toByteArray()[6]);
    }

    @Test
    void readsExactlyTheReplyWhateverTheBoundAddressType() throws IOException {
        byte[] after = "PONG\n".getBytes(StandardCharsets.US_ASCII);
        byte[][] bound = {
            concat(new byte[] {1}, new byte[4]),
            concat(new byte[] {4}, new byte[16]),
            concat(new byte[] {3, 10}, "proxy.test".getBytes(StandardCharsets.US_ASCII)),
        };
        for (byte[] b : bound) {
            InputStream in = reply(success(b[0], java.util.Arrays.copyOfRange(b, 1, b.length)), after);
            Socks5.connect(in, new ByteArrayOutputStream(), proxy(), ONION);
            assertArrayEquals(after, in.readAllBytes(), "the relayed stream starts right after the reply");
        }
    }

    @Test
    void torOnionReplyCodesAreNamed() {
        Socks5.HandshakeException e = assertThrows(Socks5.HandshakeException.class,
                () -> Socks5.connect(reply(new byte[] {5, (byte) 0xF0, 0, 1, 0, 0, 0, 0, 0, 0}),
                        new ByteArrayOutputStream(), proxy(), ONION));
        assertEquals("SOCKS5 proxy 127.0.0.1:9050 refused the connection: "
                + "onion service descriptor can not be found (reply 0xF0)", e.getMessage());
    }

    @Test
    void everyRfcReplyCodeHasAName() {
        assertEquals("general SOCKS server failure", Socks5.replyText(1));
        assertEquals("connection refused", Socks5.replyText(5));
        assertEquals("address type not supported", Socks5.replyText(8));
        assertEquals("onion service introduction timed out", Socks5.replyText(0xF7));
        assertEquals("unknown reply code", Socks5.replyText(0x42));
    }

    @Test
    void aProxyThatWantsAuthenticationIsReported() {
        assertEquals("SOCKS5 proxy 127.0.0.1:9050 requires authentication "
                        + "(only the no-authentication method is supported)",
                failure(new byte[] {5, (byte) 0xFF}));
        assertEquals("SOCKS5 proxy 127.0.0.1:9050 chose method 0x02, which was not offered",
                failure(new byte[] {5, 2}));
    }

    @Test
    void somethingThatIsNotSocks5IsReported() {
        assertEquals("SOCKS5 proxy 127.0.0.1:9050 does not speak SOCKS5 (it answered the greeting with version 0x48)",
                failure("HTTP/1.1 400 Bad Request\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("SOCKS5 proxy 127.0.0.1:9050 answered the CONNECT request with version 0x04",
                failure(new byte[] {5, 0, 4, 0x5A, 0, 0}));
        assertEquals("SOCKS5 proxy 127.0.0.1:9050 sent a reply with unknown address type 0x07",
                failure(new byte[] {5, 0, 5, 0, 0, 7}));
    }

    @Test
    void aProxyClosingMidHandshakeIsReported() {
        String closed = "SOCKS5 proxy 127.0.0.1:9050 closed the connection during the handshake";
        assertEquals(closed, failure(new byte[0]));
        assertEquals(closed, failure(new byte[] {5}));
        assertEquals(closed, failure(new byte[] {5, 0}));
        assertEquals(closed, failure(new byte[] {5, 0, 5, 0, 0, 1, 127, 0}));
    }

    private static String failure(byte[] proxyBytes) {
        return assertThrows(Socks5.HandshakeException.class,
                () -> Socks5.connect(new ByteArrayInputStream(proxyBytes), new ByteArrayOutputStream(), proxy(), ONION))
                .getMessage();
    }

    private static HostPort proxy() {
        return new HostPort("127.0.0.1", 9050);
    }

    /** The method choice (no auth) followed by the given bytes. */
    private static InputStream reply(byte[]... parts) {
        return new ByteArrayInputStream(concat(new byte[] {5, 0}, concat(parts)));
    }

    private static byte[] success(int atyp, byte[] address) {
        return concat(new byte[] {5, 0, 0, (byte) atyp}, address, new byte[] {0x1D, (byte) 0xF3});
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
