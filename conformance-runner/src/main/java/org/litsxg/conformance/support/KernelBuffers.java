package org.litsxg.conformance.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * How many bytes the operating system itself takes on a loopback TCP connection whose reader
 * has stopped reading, with the kit's small receive buffer on the reader: the writer's kernel
 * send buffer plus the reader's receive buffer. This is what LIMIT-4 leaves out of "pending
 * output", so a slow consumer's drop may come up to this many bytes past {@code
 * --max-pending-bytes}, and no later.
 *
 * <p>Measured, not assumed: a probe pair on 127.0.0.1 is filled until the kernel takes no more,
 * once with the send buffer the kernel sizes by itself ({@code net.ipv4.tcp_wmem}) and once with
 * the largest a build may set ({@code SO_SNDBUF} of {@code net.core.wmem_max}, which Linux
 * doubles); the larger figure counts.
 */
public final class KernelBuffers {

    private KernelBuffers() {
    }

    /** The measured figure and how it was found, for a report. */
    public record Capacity(long bytes, long autotuned, long largestSet, String sysctls) {
        @Override
        public String toString() {
            return bytes + " bytes taken by the kernel (loopback, reader's SO_RCVBUF as the kit's; " + autotuned
                    + " with the send buffer the kernel sizes, " + largestSet + " with SO_SNDBUF at wmem_max; "
                    + sysctls + ")";
        }
    }

    private static final class Holder {
        static final Capacity MEASURED = measureOrFail();
    }

    /** The figure for a reader with a {@code receiveBuffer}-byte SO_RCVBUF, measured once per kit JVM. */
    public static Capacity forReaderBuffer(int receiveBuffer) {
        if (receiveBuffer != WireClient.NON_READING_RECEIVE_BUFFER) {
            throw new IllegalArgumentException("measured for the kit's non-reading buffer only");
        }
        return Holder.MEASURED;
    }

    private static Capacity measureOrFail() {
        try {
            long wmemMax = readLong("/proc/sys/net/core/wmem_max", 0);
            long auto = fill(WireClient.NON_READING_RECEIVE_BUFFER, 0);
            long set = wmemMax > 0 ? fill(WireClient.NON_READING_RECEIVE_BUFFER, (int) Math.min(Integer.MAX_VALUE, wmemMax)) : 0;
            String sysctls = "tcp_wmem " + read("/proc/sys/net/ipv4/tcp_wmem") + ", tcp_rmem "
                    + read("/proc/sys/net/ipv4/tcp_rmem") + ", wmem_max " + wmemMax;
            return new Capacity(Math.max(auto, set), auto, set, sysctls);
        } catch (IOException e) {
            throw new IllegalStateException("cannot measure the kernel's socket buffers on loopback: " + e, e);
        }
    }

    /** Writes to a probe connection until the kernel takes nothing more; returns the bytes taken. */
    static long fill(int receiveBuffer, int sendBuffer) throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel reader = SocketChannel.open()) {
                reader.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
                reader.setOption(StandardSocketOptions.TCP_NODELAY, true);
                reader.connect(listener.getLocalAddress());
                try (SocketChannel writer = listener.accept()) {
                    writer.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    if (sendBuffer > 0) {
                        writer.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
                    }
                    writer.configureBlocking(false);
                    ByteBuffer chunk = ByteBuffer.allocate(4001);
                    long total = 0;
                    int idle = 0;
                    // Stop once three writes 20 ms apart took nothing (the window and the buffer
                    // may still grow a little while the first bytes are acknowledged).
                    while (idle < 3) {
                        chunk.clear();
                        int n = writer.write(chunk);
                        if (n > 0) {
                            total += n;
                            idle = 0;
                        } else {
                            idle++;
                            LockSupport.parkNanos(20_000_000L);
                        }
                    }
                    return total;
                }
            }
        }
    }

    private static String read(String path) {
        try {
            // Read as lines: Files.readString sizes its read by the file's size, which a sysctl
            // file gives as zero (see ServerInstance.ephemeralLow).
            return String.join(" ", Files.readAllLines(Path.of(path))).trim().replaceAll("\\s+", " ");
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    private static long readLong(String path, long otherwise) {
        try {
            return Long.parseLong(read(path));
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
