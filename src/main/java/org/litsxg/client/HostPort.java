package org.litsxg.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A {@code host:port} pair as an operator types it on the command line: {@code localhost:7667},
 * {@code 127.0.0.1:7667}, {@code xyz.onion:7667}, or an IPv6 literal in brackets,
 * {@code [::1]:7667}.
 *
 * <p>Parsing never touches the network: a host name is only checked for its shape, so that an
 * {@code .onion} name can be handed to a SOCKS5 proxy unresolved. {@link #host()} holds the host
 * without brackets; {@link #toString()} gives back the command-line form.
 *
 * @param host a host name, an IPv4 literal, or an IPv6 literal (without brackets)
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {

    /** The most bytes a host name may have: the SOCKS5 request carries its length in one byte. */
    public static final int MAX_HOST_BYTES = 255;

    /** Letters, digits, '-', '_' and '.', no empty label (one trailing dot is allowed). */
    private static final Pattern HOST_NAME =
            Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*)(\\.[A-Za-z0-9_-]+)*\\.?");

    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    /**
     * Checks the parts; use {@link #parse(String)} for the command-line form.
     *
     * @throws IllegalArgumentException if the host or the port is malformed
     */
    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (host.indexOf(':') >= 0) {
            if (!isIpv6Literal(host)) {
                throw new IllegalArgumentException(quoted(host) + " is not an IPv6 address");
            }
        } else if (host.length() > MAX_HOST_BYTES || !HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException(quoted(host) + " is not a valid host name or address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 1..65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}. Does not block and does no DNS lookup.
     *
     * @throws IllegalArgumentException with a one-line, operator-readable message
     */
    public static HostPort parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("expected host:port, got an empty value");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException(
                        quoted(text) + " is not host:port (an IPv6 address is written [::1]:7667)");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException(quoted(host) + " in brackets is not an IPv6 address");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(quoted(text) + " is not host:port (no port)");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException(
                        quoted(text) + " is not host:port (an IPv6 address needs brackets, e.g. [::1]:7667)");
            }
        }
        if (!PORT.matcher(port).matches()) {
            throw new IllegalArgumentException(quoted(text) + " is not host:port (" + quoted(port) + " is not a port)");
        }
        try {
            return new HostPort(host, Integer.parseInt(port));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(quoted(text) + " is not host:port (" + e.getMessage() + ")", e);
        }
    }

    /** Whether the host is an IPv6 literal (written in brackets on the command line). */
    public boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    /** The command-line form: {@code host:port}, or {@code [ipv6]:port}. */
    @Override
    public String toString() {
        return isIpv6() ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** The value in single quotes with control characters escaped, so a message stays one line. */
    private static String quoted(String value) {
        StringBuilder sb = new StringBuilder("'");
        value.codePoints().forEach(c -> {
            if (Character.getType(c) == Character.CONTROL) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('\'').toString();
    }

    private static boolean isIpv6Literal(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9')
                    || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false; // also rejects zone ids (%eth0) and anything InetAddress might look up
            }
        }
        try {
            // With brackets and only hex digits, colons and dots, InetAddress parses a literal
            // and never queries DNS.
            InetAddress.getByName("[" + host + "]");
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
