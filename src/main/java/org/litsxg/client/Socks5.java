package org.litsxg.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of a SOCKS5 CONNECT (RFC 1928), without authentication (method 0x00).
 *
 * <p>A host name is sent to the proxy unresolved (address type 0x03), so the proxy resolves it:
 * this is what lets {@code xyz.onion:7667} work through Tor's SocksPort, and what keeps the
 * client from leaking the name to the local DNS. An IPv4 or IPv6 literal is sent as an address
 * (types 0x01 and 0x04).
 *
 * <p>The wire exchange:
 * <pre>
 *   client: 05 01 00                          version 5, one method: no authentication
 *   proxy:  05 00                             method chosen (FF: none acceptable)
 *   client: 05 01 00 03 len host port(2)      CONNECT to the host name
 *   proxy:  05 rep 00 atyp addr port(2)       rep 00 = success; the stream is then relayed
 * </pre>
 *
 * <p>The class works on plain streams, so it can be tested without a socket. It reads exactly
 * the bytes of the handshake and nothing beyond, so the caller can go on reading the relayed
 * stream from the same {@code InputStream}.
 */
public final class Socks5 {

    private static final int VERSION = 0x05;
    private static final int METHOD_NO_AUTH = 0x00;
    private static final int METHOD_NONE_ACCEPTABLE = 0xFF;
    private static final int CMD_CONNECT = 0x01;
    private static final int ATYP_IPV4 = 0x01;
    private static final int ATYP_DOMAIN = 0x03;
    private static final int ATYP_IPV6 = 0x04;
    private static final int REPLY_SUCCEEDED = 0x00;

    private static final Pattern IPV4 =
            Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");

    private Socks5() {
    }

    /** A SOCKS5 handshake that failed; the message is one line naming the proxy and the reason. */
    public static final class HandshakeException extends IOException {
        private static final long serialVersionUID = 1L;

        HandshakeException(String message) {
            super(message);
        }
    }

    /**
     * Asks the proxy at the other end of {@code in}/{@code out} to connect to {@code target}.
     * Blocks until the proxy has answered both the greeting and the CONNECT request; the caller
     * bounds the wait (for a socket, with {@link java.net.Socket#setSoTimeout(int)}). On success
     * the streams carry the relayed connection.
     *
     * @param proxy  the proxy's address, only used in error messages
     * @param target the host and port the proxy should connect to
     * @throws HandshakeException if the proxy closes the stream, does not speak SOCKS5, wants
     *                            authentication, or refuses the connection (the message names
     *                            the reply code)
     * @throws IOException        if reading or writing fails (including a read timeout)
     */
    public static void connect(InputStream in, OutputStream out, HostPort proxy, HostPort target)
            throws IOException {
        out.write(new byte[] {VERSION, 1, METHOD_NO_AUTH});
        out.flush();
        byte[] choice = readFully(in, 2, proxy);
        if (u8(choice[0]) != VERSION) {
            throw new HandshakeException(String.format(
                    "SOCKS5 proxy %s does not speak SOCKS5 (it answered the greeting with version 0x%02X)",
                    proxy, u8(choice[0])));
        }
        if (u8(choice[1]) == METHOD_NONE_ACCEPTABLE) {
            throw new HandshakeException("SOCKS5 proxy " + proxy
                    + " requires authentication (only the no-authentication method is supported)");
        }
        if (u8(choice[1]) != METHOD_NO_AUTH) {
            throw new HandshakeException(String.format(
                    "SOCKS5 proxy %s chose method 0x%02X, which was not offered", proxy, u8(choice[1])));
        }

        out.write(connectRequest(target));
        out.flush();
        byte[] head = readFully(in, 4, proxy);
        if (u8(head[0]) != VERSION) {
            throw new HandshakeException(String.format(
                    "SOCKS5 proxy %s answered the CONNECT request with version 0x%02X", proxy, u8(head[0])));
        }
        int reply = u8(head[1]);
        if (reply != REPLY_SUCCEEDED) {
            throw new HandshakeException(String.format(
                    "SOCKS5 proxy %s refused the connection: %s (reply 0x%02X)", proxy, replyText(reply), reply));
        }
        int addressLength;
        switch (u8(head[3])) {
            case ATYP_IPV4 -> addressLength = 4;
            case ATYP_IPV6 -> addressLength = 16;
            case ATYP_DOMAIN -> addressLength = u8(readFully(in, 1, proxy)[0]);
            default -> throw new HandshakeException(String.format(
                    "SOCKS5 proxy %s sent a reply with unknown address type 0x%02X", proxy, u8(head[3])));
        }
        readFully(in, addressLength + 2, proxy); // bound address and port: not needed
    }

    /** The CONNECT request for {@code target}: {@code 05 01 00 atyp address port}. */
    static byte[] connectRequest(HostPort target) {
        byte[] address;
        int atyp;
        Matcher ipv4 = IPV4.matcher(target.host());
        if (target.isIpv6()) {
            atyp = ATYP_IPV6;
            address = ipv6Bytes(target.host());
        } else if (ipv4.matches() && ipv4Bytes(ipv4) != null) {
            atyp = ATYP_IPV4;
            address = ipv4Bytes(ipv4);
        } else {
            atyp = ATYP_DOMAIN;
            byte[] name = target.host().getBytes(StandardCharsets.US_ASCII);
            address = new byte[name.length + 1];
            address[0] = (byte) name.length; // HostPort guarantees 1..255
            System.arraycopy(name, 0, address, 1, name.length);
        }
        byte[] request = new byte[4 + address.length + 2];
        request[0] = VERSION;
        request[1] = CMD_CONNECT;
        request[2] = 0x00;
        request[3] = (byte) atyp;
        System.arraycopy(address, 0, request, 4, address.length);
        request[request.length - 2] = (byte) (target.port() >>> 8);
        request[request.length - 1] = (byte) target.port();
        return request;
    }

    /** RFC 1928 reply codes, and the 0xF0..0xF7 codes Tor uses for onion services. */
    static String replyText(int reply) {
        return switch (reply) {
            case 0x01 -> "general SOCKS server failure";
            case 0x02 -> "connection not allowed by ruleset";
            case 0x03 -> "network unreachable";
            case 0x04 -> "host unreachable";
            case 0x05 -> "connection refused";
            case 0x06 -> "TTL expired";
            case 0x07 -> "command not supported";
            case 0x08 -> "address type not supported";
            case 0xF0 -> "onion service descriptor can not be found";
            case 0xF1 -> "onion service descriptor is invalid";
            case 0xF2 -> "onion service introduction failed";
            case 0xF3 -> "onion service rendezvous failed";
            case 0xF4 -> "onion service missing client authorization";
            case 0xF5 -> "onion service wrong client authorization";
            case 0xF6 -> "onion service invalid address";
            case 0xF7 -> "onion service introduction timed out";
            default -> "unknown reply code";
        };
    }

    private static byte[] ipv4Bytes(Matcher m) {
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(m.group(i + 1));
            if (octet > 255) {
                return null;
            }
            b[i] = (byte) octet;
        }
        return b;
    }

    private static byte[] ipv6Bytes(String literal) {
        try {
            // A bracketed literal is parsed, never looked up (HostPort checked its characters).
            byte[] b = InetAddress.getByName("[" + literal + "]").getAddress();
            if (b.length == 16) {
                return b;
            }
            // An IPv4-mapped literal (::ffff:1.2.3.4) comes back as 4 bytes: map it again.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(b, 0, mapped, 12, 4);
            return mapped;
        } catch (IOException e) {
            throw new IllegalArgumentException("not an IPv6 literal: " + literal, e);
        }
    }

    private static byte[] readFully(InputStream in, int n, HostPort proxy) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) {
                throw new HandshakeException("SOCKS5 proxy " + proxy + " closed the connection during the handshake");
            }
            off += r;
        }
        return b;
    }

    private static int u8(byte b) {
        return b & 0xFF;
    }
}
