package org.litsxg.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A connection's output over a real loopback socket whose reader reads only when told. */
class OutputBufferTest {
    private static final byte[] LAST = "ERR last\n".getBytes(StandardCharsets.US_ASCII);
    private final OutputBuffer output = new OutputBuffer();
    private Socket reader;
    private SocketChannel channel;

    @BeforeEach
    void connect() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            reader = new Socket();
            reader.setReceiveBufferSize(4096);
            reader.connect(server.getLocalAddress());
            channel = server.accept();
        }
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
    }

    @AfterEach
    void close() throws IOException {
        channel.close();
        reader.close();
    }

    /** Everything the reader gets until the server side closes. */
    private CompletableFuture<byte[]> readAll() {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = reader.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static byte[] lines(int count, int length) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            byte[] line = new byte[length];
            Arrays.fill(line, (byte) ('a' + i % 26));
            line[length - 1] = '\n';
            all.writeBytes(line);
        }
        return all.toByteArray();
    }

    /**
     * Half a line taken by the socket, then more output moves the pending bytes to the front of
     * a bigger array: the last line must still not be glued to that half line (it was, when
     * "at the start of a line" was read from the array's offset; LIMIT-4 then saw a broken MSG
     * line ending in ERR slow-consumer).
     */
    @Test
    void theLastLineIsNotGluedToAHalfLineAfterThePendingBytesMoved() throws IOException {
        byte[] line = new byte[100_000];
        Arrays.fill(line, (byte) 'x');
        line[line.length - 1] = '\n';
        output.append(line);
        output.writeTo(channel);
        assertTrue(output.pending() > 0 && output.pending() < line.length, "the socket took part of the line");
        output.append(lines(1, 200_000)); // more than the array holds: the pending bytes move to a new one
        CompletableFuture<byte[]> got = readAll();
        output.discardWithLastLine(channel, LAST);
        channel.close();
        String text = new String(got.join(), StandardCharsets.US_ASCII);
        assertTrue(!text.contains("ERR last"), "ERR glued to a half line: ..." + text.substring(Math.max(0, text.length() - 20)));
    }

    @Test
    void linesGoOutWholeAndInOrderThroughPartialWrites() throws IOException {
        byte[] sent = lines(300, 333);
        for (int i = 0; i < 300; i++) {
            output.append(Arrays.copyOfRange(sent, i * 333, (i + 1) * 333));
        }
        assertEquals(sent.length, output.pending());
        output.writeTo(channel);
        assertTrue(output.pending() > 0, "the socket took part only: " + output.pending() + " bytes left");
        CompletableFuture<byte[]> got = readAll();
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10)).until(() -> {
            output.writeTo(channel);
            return output.pending() == 0;
        });
        channel.close();
        assertArrayEquals(sent, got.join());
    }

    @Test
    void theLastLineIsNotGluedToHalfALine() throws IOException {
        byte[] oneLine = lines(1, 1 << 20);
        output.append(oneLine);
        output.writeTo(channel);
        long taken = oneLine.length - output.pending();
        assertTrue(taken > 0 && taken < oneLine.length, "the socket took part of the line: " + taken);
        output.discardWithLastLine(channel, LAST);
        assertEquals(0, output.pending());
        channel.close();
        assertArrayEquals(Arrays.copyOf(oneLine, (int) taken), readAll().join(), "the part taken, and no ERR line");
    }

    @Test
    void theLastLineFollowsWholeLines() throws IOException {
        output.append("MSG a hi\n".getBytes(StandardCharsets.US_ASCII));
        output.writeTo(channel);
        assertEquals(0, output.pending());
        output.append("MSG a unsent\n".getBytes(StandardCharsets.US_ASCII));
        output.discardWithLastLine(channel, LAST);
        channel.close();
        assertEquals("MSG a hi\nERR last\n", new String(readAll().join(), StandardCharsets.US_ASCII));
    }
}
