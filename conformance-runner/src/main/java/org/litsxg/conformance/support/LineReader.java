package org.litsxg.conformance.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The reader thread of a {@link WireClient}: owns the socket's input for the whole life of the
 * connection, splits the bytes on LF, records each line in the transcript, and hands every line,
 * then the end of the connection, to the {@link ReplyInbox}. Reading can be paused, to play a
 * client that has stopped reading.
 */
final class LineReader {

    private final InputStream in;
    private final Transcript transcript;
    private final NameAliases aliases;
    private final ReplyInbox inbox;
    /** Whether the kit is closing the connection (an error then is no reset). */
    private final BooleanSupplier closing;
    private final List<byte[]> rawLines = Collections.synchronizedList(new ArrayList<>());
    private final Object pauseLock = new Object();
    private boolean paused;

    LineReader(InputStream in, Transcript transcript, NameAliases aliases, ReplyInbox inbox, BooleanSupplier closing,
            boolean startPaused) {
        this.in = in;
        this.transcript = transcript;
        this.aliases = aliases;
        this.inbox = inbox;
        this.closing = closing;
        this.paused = startPaused;
    }

    /** Starts the daemon thread {@code litsxg-kit-reader-<name>}. */
    void start(String name) {
        Thread reader = new Thread(this::readLoop, "litsxg-kit-reader-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                synchronized (pauseLock) {
                    while (paused) {
                        pauseLock.wait();
                    }
                }
                int n = in.read(buf);
                if (n < 0) {
                    String how = "end of stream";
                    if (line.size() > 0) {
                        how += " after an unterminated \"" + Transcript.render(line.toByteArray()) + "\"";
                    }
                    finish(how);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        byte[] raw = line.toByteArray();
                        line.reset();
                        transcript.received(raw);
                        // External mode: the features' names, not the scenario's unique ones.
                        raw = aliases.incoming(raw);
                        if (rawLines.size() < 10_000) {
                            rawLines.add(raw);
                        }
                        inbox.add(Received.Line.of(raw));
                    } else {
                        line.write(buf[i]);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish("reader interrupted");
        } catch (IOException e) {
            finish(closing.getAsBoolean() ? "closed by the kit" : "reset: " + e.getMessage());
        }
    }

    private void finish(String how) {
        if (!closing.getAsBoolean()) {
            transcript.event("connection ended: " + how);
        }
        inbox.add(new Received.Closed(how));
    }

    /** Stops (true) or resumes (false) taking bytes from the socket (after the read in progress, if any). */
    void pause(boolean on) {
        synchronized (pauseLock) {
            paused = on;
            if (!on) {
                pauseLock.notifyAll();
            }
        }
    }

    /** The raw bytes of the first 10000 lines received, without their LF. */
    List<byte[]> rawLines() {
        synchronized (rawLines) {
            return List.copyOf(rawLines);
        }
    }
}
