package org.litsxg.conformance.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A server under test that the kit does not start: it already runs somewhere and is reached
 * at {@code host:port}, either directly ({@code --address}) or through a SOCKS5 proxy such as
 * Tor's SocksPort ({@code --socks} with {@code --onion}), where the proxy resolves the host
 * name (an onion address never resolves locally).
 *
 * <p>Immutable.
 */
public final class RemoteTarget {

    private final String host;
    private final int port;
    private final InetSocketAddress socks;

    private RemoteTarget(String host, int port, InetSocketAddress socks) {
        this.host = host;
        this.port = port;
        this.socks = socks;
    }

    /** A server reached directly at {@code hostPort} ({@code host:port}, {@code [v6]:port}). */
    public static RemoteTarget direct(String hostPort) {
        String[] hp = split(hostPort, "--address");
        return new RemoteTarget(hp[0], Integer.parseInt(hp[1]), null);
    }

    /** A server at {@code hostPort} (usually {@code <56 chars>.onion:port}) reached through the SOCKS5 proxy {@code socksHostPort}. */
    public static RemoteTarget viaSocks(String hostPort, String socksHostPort) {
        String[] hp = split(hostPort, "--onion");
        String[] sp = split(socksHostPort, "--socks");
        if (hp[0].getBytes(StandardCharsets.US_ASCII).length > 255) {
            throw new IllegalArgumentException("--onion: host name longer than 255 bytes: " + hp[0]);
        }
        return new RemoteTarget(hp[0], Integer.parseInt(hp[1]),
                InetSocketAddress.createUnresolved(sp[0], Integer.parseInt(sp[1])));
    }

    /** {@code [host, port]} of {@code host:port}; the port checked to be 1 to 65535. */
    private static String[] split(String hostPort, String option) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException(option + ": expected host:port, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = hostPort.substring(colon + 1);
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535 || host.isEmpty()) {
            throw new IllegalArgumentException(option + ": expected host:port with a port from 1 to 65535, got '" + hostPort + "'");
        }
        return new String[] {host, Integer.toString(p)};
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** True when connections go through a SOCKS5 proxy. */
    public boolean viaSocks() {
        return socks != null;
    }

    /**
     * Connects {@code socket} (unconnected) to the server, through the proxy if there is one.
     * Blocks at most about {@code timeout} for the TCP connect and, through a proxy, as long
     * again for the proxy's answer (Tor builds a circuit to the onion service meanwhile).
     *
     * @throws IOException when the server cannot be reached; the message says at which step
     */
    public void connect(Socket socket, Duration timeout) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (socks == null) {
            socket.connect(new InetSocketAddress(host, port), millis);
            return;
        }
        socket.connect(new InetSocketAddress(socks.getHostString(), socks.getPort()), millis);
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        // RFC 1928: greeting with "no authentication" only.
        out.write(new byte[] {5, 1, 0});
        out.flush();
        byte[] choice = readFully(in, 2, "the proxy's method choice");
        if (choice[0] != 5 || choice[1] != 0) {
            throw new IOException("SOCKS5 proxy " + socks + " refused the no-authentication method");
        }
        // CONNECT to a domain name (ATYP 3): the proxy resolves it.
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[7 + name.length];
        request[0] = 5;
        request[1] = 1;
        request[2] = 0;
        request[3] = 3;
        request[4] = (byte) name.length;
        System.arraycopy(name, 0, request, 5, name.length);
        request[5 + name.length] = (byte) (port >> 8);
        request[6 + name.length] = (byte) port;
        out.write(request);
        out.flush();
        byte[] head = readFully(in, 4, "the proxy's CONNECT reply");
        if (head[0] != 5) {
            throw new IOException("SOCKS5 proxy " + socks + " answered with version " + head[0]);
        }
        if (head[1] != 0) {
            throw new IOException("SOCKS5 proxy " + socks + " could not connect to " + this + ": " + reply(head[1]));
        }
        int rest = switch (head[3]) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> readFully(in, 1, "the bound address length")[0] & 0xff;
            default -> throw new IOException("SOCKS5 proxy " + socks + " answered address type " + head[3]);
        };
        readFully(in, rest + 2, "the bound address");
        socket.setSoTimeout(before);
    }

    private static byte[] readFully(InputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException("the SOCKS5 proxy closed the connection before " + what);
        }
        return b;
    }

    private static String reply(byte code) {
        return switch (code) {
            case 1 -> "general failure";
            case 2 -> "not allowed by ruleset";
            case 3 -> "network unreachable";
            case 4 -> "host unreachable";
            case 5 -> "connection refused";
            case 6 -> "TTL expired";
            case 7 -> "command not supported";
            case 8 -> "address type not supported";
            default -> String.format(Locale.ROOT, "reply code 0x%02x", code);
        };
    }

    @Override
    public String toString() {
        String hp = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        return socks == null ? hp : hp + " via SOCKS5 " + socks.getHostString() + ":" + socks.getPort();
    }
}
