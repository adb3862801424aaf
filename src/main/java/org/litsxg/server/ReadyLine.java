package org.litsxg.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The line a started server prints on stdout: {@code litsxg listening on <host>:<port>}. */
final class ReadyLine {
    private ReadyLine() {
    }

    /** The whole line, for the address {@code --bind} named and the socket's bound address. */
    static String text(String bind, InetSocketAddress bound) {
        return "litsxg listening on " + format(bind, bound);
    }

    /**
     * {@code host:port} for the ready line: the bound address in its canonical text form (IPv6
     * compressed as RFC 5952 says, in brackets) and the real port. The address is taken from
     * what {@code --bind} resolved to, not from the socket, which reports a dual-stack wildcard
     * as {@code ::} even when {@code 0.0.0.0} was asked for.
     */
    static String format(String bind, InetSocketAddress bound) {
        InetAddress address = new InetSocketAddress(bind, 0).getAddress();
        if (address == null) {
            address = bound.getAddress();
        }
        String host = address instanceof Inet6Address
                ? "[" + compressIpv6(address.getAddress()) + "]"
                : address.getHostAddress();
        return host + ":" + bound.getPort();
    }

    /** RFC 5952 text: lower-case hex, no leading zeros, the longest run of 2+ zero groups as ::. */
    static String compressIpv6(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
