package org.litsxg.conformance.steps;

import static org.awaitility.Awaitility.await;

import io.cucumber.java.After;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about backpressure: a client that pipelines PINGs without reading is slowed down (the
 * server stops reading from it), not dropped.
 */
public final class BackpressureSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Protocol protocol;
    private CompletableFuture<Void> pipeline;

    public BackpressureSteps(ScenarioContext ctx, Clients clients, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.protocol = protocol;
    }

    @When("{conn} sends {int} PING lines without reading the replies")
    public void pipelines(String label, int count) {
        pipeline = clients.client(label).sendRepeatedInBackground("PING", count);
    }

    @Given("{conn} is online with small socket buffers and has stopped reading")
    public void onlineSmallBuffers(String label) {
        WireClient c = clients.connectNonReading(label);
        try {
            c.smallSendBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        protocol.authenticate(c, "OK registered");
        c.pauseReading();
    }

    @Then("{conn} receives {int} replies {string} once he/she reads again")
    public void readsAgain(String label, int count, String expected) {
        WireClient c = clients.client(label);
        c.resumeReading();
        Duration timeout = ctx.scaled(Duration.ofSeconds(60));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < count; i++) {
            Received r = c.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (!(r instanceof Received.Line l) || !l.text().equals(expected)) {
                throw ctx.failure(count + " replies \"" + expected + "\", the server slowing the client down"
                        + " rather than dropping it", "reply " + (i + 1) + " was " + r);
            }
        }
        clients.join(pipeline, ctx.settings().replyTimeout(), "the kit's pipelined writes complete");
    }

    /**
     * Waits until the kit's pipelined writes stop making progress for a quiet period. Returns
     * false if they all went through instead (the server, or the buffers, took everything).
     */
    private boolean writesStall(WireClient c) {
        Duration quiet = ctx.settings().quietPeriod();
        AtomicLong last = new AtomicLong(-1);
        try {
            await("the kit's writes stall").atMost(ctx.scaled(Duration.ofSeconds(60))).pollInSameThread()
                    .pollInterval(quiet).until(() -> {
                        long now = c.backgroundBytesWritten();
                        boolean settled = now == last.get() || pipeline.isDone();
                        last.set(now);
                        return settled;
                    });
        } catch (ConditionTimeoutException e) {
            return false;
        }
        return !pipeline.isDone();
    }

    @Then("the server stops reading from {conn} before it has read them all")
    public void stopsReading(String label) {
        WireClient c = clients.client(label);
        boolean stalled = writesStall(c);
        ctx.check(stalled, "the server stops reading while the replies to the pipelined lines wait (the kit's"
                        + " writes stall before all are sent)",
                "the server took all " + c.backgroundBytesWritten() + " bytes without the client reading a reply");
    }

    @Then("the kit records how much {conn} could send before the server stopped reading")
    public void recordThreshold(String label) {
        WireClient c = clients.client(label);
        writesStall(c);
        ctx.observe(pipeline.isDone()
                ? "the kit wrote all " + c.backgroundBytesWritten() + " bytes without a stall (the server, or the"
                        + " operating system's buffers, took them all)"
                : "the kit's writes stalled after about " + (c.backgroundBytesWritten() / 1024)
                        + " KiB of PING lines (operating-system buffers included)");
    }

    /** Closes the pipelining client's writer if the scenario left it blocked. */
    @After(order = 20)
    public void stopPipeline() throws IOException {
        if (pipeline != null) {
            pipeline.cancel(true);
        }
    }
}
