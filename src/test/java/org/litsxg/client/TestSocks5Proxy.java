package org.litsxg.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A small but real SOCKS5 proxy on loopback (RFC 1928, CONNECT, no authentication). It records
 * what each client sent, never resolves the requested host: on success it connects to the fixed
 * {@code upstreamPort} on loopback whatever was asked, so {@code xyz.onion} "works", and relays
 * both ways, passing a half-close on. With {@code replyCode != 0} it answers the CONNECT with
 * that code and closes.
 */
final class TestSocks5Proxy implements AutoCloseable {

    /** What one client sent: the greeting bytes and the CONNECT request's parts. */
    record Request(byte[] greeting, int command, int atyp, String host, int port) {
    }

    private final ServerSocket serverSocket;
    private final int upstreamPort;
    private final int replyCode;
    /** Like Tor: the client's end of stream closes the whole connection (no half-close). */
    private final boolean noHalfClose;
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    /** A protocol violation by the client, described (the proxy then closes). */
    final BlockingQueue<String> violations = new LinkedBlockingQueue<>();

    TestSocks5Proxy(int upstreamPort, int replyCode) throws IOException {
        this(upstreamPort, replyCode, false);
    }

    /** With {@code noHalfClose}, a half-close by the client closes both directions, as Tor does. */
    TestSocks5Proxy(int upstreamPort, int replyCode, boolean noHalfClose) throws IOException {
        this.upstreamPort = upstreamPort;
        this.replyCode = replyCode;
        this.noHalfClose = noHalfClose;
        serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "test-socks-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    HostPort address() {
        return new HostPort("127.0.0.1", port());
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket s = serverSocket.accept();
                Thread t = new Thread(() -> serve(s), "test-socks-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            byte[] greeting = new byte[2];
            in.readFully(greeting);
            byte[] methods = new byte[greeting[1] & 0xFF];
            in.readFully(methods);
            byte[] fullGreeting = new byte[2 + methods.length];
            System.arraycopy(greeting, 0, fullGreeting, 0, 2);
            System.arraycopy(methods, 0, fullGreeting, 2, methods.length);
            if (!Arrays.equals(fullGreeting, new byte[] {5, 1, 0})) {
                violations.add("greeting was " + Arrays.toString(fullGreeting));
                out.write(new byte[] {5, (byte) 0xFF});
                client.close();
                return;
            }
            out.write(new byte[] {5, 0});
            out.flush();

            byte[] head = new byte[4];
            in.readFully(head);
            String host;
            int atyp = head[3] & 0xFF;
            switch (atyp) {
                case 1 -> {
                    byte[] a = new byte[4];
                    in.readFully(a);
                    host = InetAddress.getByAddress(a).getHostAddress();
                }
                case 4 -> {
                    byte[] a = new byte[16];
                    in.readFully(a);
                    host = InetAddress.getByAddress(a).getHostAddress();
                }
                case 3 -> {
                    byte[] name = new byte[in.readUnsignedByte()];
                    in.readFully(name);
                    host = new String(name, StandardCharsets.US_ASCII);
                }
                default -> {
                    violations.add("address type " + atyp);
                    client.close();
                    return;
                }
            }
            int port = in.readUnsignedShort();
            requests.add(new Request(fullGreeting, head[1] & 0xFF, atyp, host, port));
            if (head[0] != 5 || head[1] != 1 || head[2] != 0) {
                violations.add("request head was " + Arrays.toString(head));
            }

            if (replyCode != 0) {
                out.write(new byte[] {5, (byte) replyCode, 0, 1, 0, 0, 0, 0, 0, 0});
                out.flush();
                client.close();
                return;
            }
            upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
            // Reply with a domain-name bound address, so the client must parse a variable length.
            byte[] bound = "proxy.test".getBytes(StandardCharsets.US_ASCII);
            out.write(new byte[] {5, 0, 0, 3, (byte) bound.length});
            out.write(bound);
            out.write(new byte[] {0x1D, (byte) 0xF3});
            out.flush();

            Socket up = upstream;
            Thread toUpstream = new Thread(() -> {
                pump(client, up);
                if (noHalfClose) { // Tor ends the stream both ways when the client's side ends
                    closeQuietly(up);
                    closeQuietly(client);
                }
            }, "test-socks-up");
            toUpstream.setDaemon(true);
            toUpstream.start();
            pump(up, client);
            toUpstream.join();
        } catch (IOException e) {
            // client or upstream went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    /** Copies from one socket to the other, then passes the end of stream on as a half-close. */
    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }
}
