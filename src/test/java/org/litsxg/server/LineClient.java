package org.litsxg.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking test client; every read is bounded by the socket timeout. */
final class LineClient implements AutoCloseable {
    final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    LineClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    void write(String raw) throws IOException {
        writeBytes(raw.getBytes(StandardCharsets.UTF_8));
    }

    void writeBytes(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** The next line, or null at end of stream. */
    String read() throws IOException {
        return in.readLine();
    }

    String call(String line) throws IOException {
        write(line + "\n");
        return read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
