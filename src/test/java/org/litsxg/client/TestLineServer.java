package org.litsxg.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A tiny line server on loopback, enough to drive the client (not the Litsxg protocol):
 * {@code PING} gets {@code PONG}; {@code QUIT} gets {@code OK bye} and a close; {@code KICK}
 * gets {@code ERR session-replaced} and a close; any other line {@code L} gets {@code ECHO L}
 * (bytes as received). At end of stream it writes {@code EOF-SEEN} and closes, so a test can
 * see that the client kept printing after its half-close. One CR before LF is dropped.
 * {@code greeting}, if not null, is written as soon as a connection is accepted.
 */
final class TestLineServer implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final byte[] greeting;
    /** Every complete line received, decoded as UTF-8, in order. */
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    TestLineServer(String greeting) throws IOException {
        this.greeting = greeting == null ? null : greeting.getBytes(StandardCharsets.UTF_8);
        serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "test-line-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    TestLineServer() throws IOException {
        this(null);
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket s = serverSocket.accept();
                Thread t = new Thread(() -> serve(s), "test-line-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (greeting != null) {
                out.write(greeting);
                out.flush();
            }
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                byte[] bytes = line.toByteArray();
                line.reset();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
                received.add(text);
                switch (text) {
                    case "PING" -> write(out, "PONG\n");
                    case "QUIT" -> {
                        write(out, "OK bye\n");
                        return;
                    }
                    case "KICK" -> {
                        write(out, "ERR session-replaced\n");
                        return;
                    }
                    default -> {
                        out.write("ECHO ".getBytes(StandardCharsets.US_ASCII));
                        out.write(bytes, 0, length);
                        out.write('\n');
                        out.flush();
                    }
                }
            }
            write(out, "EOF-SEEN\n");
        } catch (IOException e) {
            // the client went away; nothing to do
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }
}
