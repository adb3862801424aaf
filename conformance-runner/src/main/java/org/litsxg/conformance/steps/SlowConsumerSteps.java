package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.litsxg.conformance.support.KernelBuffers;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about a slow consumer (LIMIT-4 to LIMIT-6): a recipient that stops reading is flooded
 * until the server drops it, within the bound its pending output limit sets.
 */
public final class SlowConsumerSteps {

    /** The most messages the kit sends while waiting for a slow consumer to be dropped. */
    private static final int MAX_FLOOD = 5000;

    private final ScenarioContext ctx;
    private final Clients clients;
    private final List<String> floodReplies = new ArrayList<>();
    private int delivered;
    private String floodLine;
    private int lineBytes;
    private long bound;
    private KernelBuffers.Capacity kernel;

    public SlowConsumerSteps(ScenarioContext ctx, Clients clients) {
        this.ctx = ctx;
        this.clients = clients;
    }

    /**
     * Floods a non-reading recipient (SO_RCVBUF {@link WireClient#NON_READING_RECEIVE_BUFFER}, set
     * before connect) until a SEND to it is answered {@code until}. LIMIT-4 bounds where that may
     * happen: the bytes written for it ({@code MSG} lines answered OK delivered) may exceed
     * {@code --max-pending-bytes} by what the operating system took (the server's kernel send
     * buffer and the reader's receive buffer, measured on loopback: {@link KernelBuffers}) and the
     * line that crossed the limit, and no more. The kit stops at that bound.
     */
    @When("{conn} sends {word} messages of {int} bytes until the server answers {string}")
    public void flood(String label, String recipient, int size, String until) {
        WireClient c = clients.client(label);
        String text = "x".repeat(size);
        floodLine = "MSG " + Clients.nameOf(label) + " " + text;
        lineBytes = floodLine.length() + 1;
        long limit = Long.parseLong(ctx.server().get("max_pending_bytes"));
        kernel = KernelBuffers.forReaderBuffer(WireClient.NON_READING_RECEIVE_BUFFER);
        bound = limit + kernel.bytes() + 2L * lineBytes;
        int most = (int) Math.min(MAX_FLOOD, bound / lineBytes + 2);
        for (int i = 0; i < most; i++) {
            clients.sendLine(c, "SEND " + recipient + " " + text);
            Received r = c.nextReply(ctx.settings().replyTimeout());
            String first = r instanceof Received.Line l ? l.firstTokens(2) : r.toString();
            floodReplies.add(first);
            if (first.equals(until)) {
                return;
            }
            if (!first.equals("OK delivered")) {
                throw ctx.failure("OK delivered until the slow consumer is dropped, then \"" + until + "\"",
                        "reply " + (i + 1) + " was " + r);
            }
            delivered++;
        }
        throw ctx.failure("the non-reading recipient is dropped, so that a SEND to it is answered \"" + until
                        + "\", by the time " + bound + " bytes were written for it (--max-pending-bytes " + limit
                        + " + " + kernel + " + two lines)",
                "still OK delivered after " + (long) delivered * lineBytes + " bytes written (" + delivered
                        + " messages of " + lineBytes + " bytes)");
    }

    @Then("{conn}'s connection has been dropped")
    public void dropped(String label) {
        WireClient c = clients.client(label);
        c.resumeReading();
        Received end = c.drainUntilClosed(ctx.settings().replyTimeout());
        ctx.check(end instanceof Received.Closed, label + "'s connection is closed by the server",
                "after reading everything it was sent: " + end);
        List<String> broken = new ArrayList<>();
        for (byte[] b : c.rawLines()) {
            String t = new String(b, StandardCharsets.UTF_8);
            boolean ok = t.equals(floodLine) || t.startsWith("OK ") || t.equals("ERR slow-consumer")
                    || t.startsWith("ERR slow-consumer ");
            if (!ok && broken.size() < 3) {
                broken.add("\"" + Transcript.render(b) + "\"");
            }
        }
        ctx.check(broken.isEmpty(), "every line " + label + " received before the drop is whole: a MSG line as"
                + " sent, or ERR slow-consumer", "broken lines: " + broken);
        long limit = Long.parseLong(ctx.server().get("max_pending_bytes"));
        long written = (long) delivered * lineBytes;
        ctx.check(written <= bound, "the drop within " + bound + " bytes written (--max-pending-bytes " + limit
                + " + " + kernel + " + two lines)", "dropped after " + written + " bytes written");
        // After a graceful close, every byte the operating system had taken still reaches the
        // reader, so what it did not receive is what the server discarded as pending output: at
        // most the limit and the line that crossed it (two lines of slack for the trigger's reply).
        long read = c.rawLines().stream().filter(b -> new String(b, StandardCharsets.UTF_8).equals(floodLine))
                .count() * lineBytes;
        String how = end instanceof Received.Closed cl ? cl.how() : end.toString();
        if (how.startsWith("end of stream")) {
            long discarded = written - read;
            long tight = limit + 2L * lineBytes;
            ctx.check(discarded <= tight, "at most " + tight + " bytes discarded as pending output (--max-pending-bytes "
                            + limit + " + two lines): the drop comes when the pending output exceeds the limit",
                    "dropped after " + written + " bytes written, of which " + label + " read " + read + " after the"
                            + " drop: " + discarded + " bytes were pending");
            ctx.observe("dropped after " + written + " bytes written (" + read + " read by " + label + ", "
                    + discarded + " pending); bound " + tight + " pending, " + bound + " written (kernel "
                    + kernel.bytes() + ")");
        } else {
            ctx.observe("dropped after " + written + " bytes written; bound " + bound + " (--max-pending-bytes " + limit
                    + " + " + kernel.bytes() + " taken by the kernel + two lines); the connection ended by " + how
                    + ", so what the kernel had taken is unknown");
        }
    }

    /**
     * LIMIT-6 is conditional ("if the socket has room"), and the kit cannot see whether it had
     * room; so any line after the MSG lines must be that ERR, and the kit records whether it came.
     */
    @Then("whatever {conn} received after its MSG lines, before the drop, was {string}")
    public void lastLineBeforeDrop(String label, String expected) {
        WireClient c = clients.client(label);
        c.resumeReading();
        Received end = c.drainUntilClosed(ctx.settings().replyTimeout());
        ctx.check(end instanceof Received.Closed, label + "'s connection is closed by the server", "got " + end);
        List<byte[]> lines = c.rawLines();
        List<String> after = new ArrayList<>();
        boolean seenMsg = false;
        for (byte[] b : lines) {
            String t = new String(b, StandardCharsets.UTF_8);
            if (t.startsWith("MSG ")) {
                seenMsg = true;
                after.clear();
            } else if (seenMsg) {
                after.add(t);
            }
        }
        boolean ok = after.isEmpty() || after.size() == 1
                && (after.get(0).equals(expected) || after.get(0).startsWith(expected + " "));
        ctx.check(ok, "nothing, or the single line \"" + expected + "\", after the last MSG line",
                "after the last MSG line: " + after.stream().map(t -> "\"" + Transcript.render(
                        t.getBytes(StandardCharsets.UTF_8)) + "\"").toList());
        ctx.observe(after.isEmpty() ? "no " + expected + " arrived (the socket had no room, or the build sends none)"
                : expected + " arrived before the close");
    }

    @Then("the kit records how many of the messages answered {string} reached {conn}")
    public void recordReached(String reply, String label) {
        WireClient c = clients.client(label);
        c.resumeReading();
        c.drainUntilClosed(ctx.settings().replyTimeout());
        long reached = c.rawLines().stream().filter(b -> new String(b, 0, Math.min(4, b.length),
                StandardCharsets.UTF_8).equals("MSG ")).count();
        ctx.observe(delivered + " messages were answered " + reply + "; " + reached + " reached " + label
                + " before its connection was dropped (" + (delivered - reached) + " lost)");
    }

    @Then("the kit records the replies {conn} got before the first {string}")
    public void recordReplies(String label, String until) {
        ctx.observe(floodReplies.size() - 1 + " replies before the first " + until + ", the last of them: "
                + (floodReplies.size() > 1 ? floodReplies.get(floodReplies.size() - 2) : "(none)"));
    }
}
