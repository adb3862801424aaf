package org.litsxg.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model without a server: what it accepts where the spec leaves a choice, and what it
 * names a divergence, from observations fed to it by hand.
 */
class ModelTest {

    private Model model;
    private long seq;

    @BeforeEach
    void fresh() {
        model = new Model(new Limits(3, 10, 30_000_000_000L, 65536, 1.0));
    }

    private Conn connect(String label) {
        return model.connected(label, System.nanoTime(), System.nanoTime());
    }

    private void send(Conn c, String lines) {
        model.sent(c, lines.getBytes(StandardCharsets.UTF_8));
    }

    private void got(Conn c, String line) {
        model.observe(new Obs.Got(c, ++seq, System.nanoTime(), line.getBytes(StandardCharsets.UTF_8)));
        model.progress(System.nanoTime());
    }

    private Conn online(String name) {
        Conn c = connect(name);
        send(c, "AUTH " + name + " secret-of-" + name + "\n");
        got(c, "OK registered");
        return c;
    }

    private boolean settled() {
        return model.settled(System.nanoTime());
    }

    @Test
    void aSelfSentMsgMayComeBeforeOrAfterItsOkDelivered() {
        Conn a = online("ann");
        send(a, "SEND ann one\nSEND ann two\n");
        got(a, "MSG ann one");
        got(a, "OK delivered");
        got(a, "OK delivered");
        got(a, "MSG ann two");
        assertTrue(settled(), () -> model.stuck(System.nanoTime()).text());
    }

    @Test
    void freeTextAfterTheReplyWordIsAccepted() {
        Conn a = connect("c1");
        send(a, "PING\nVERSION\n");
        got(a, "PONG and some text");
        got(a, "ERR unknown-command no such thing");
        assertTrue(settled());
    }

    @Test
    void messagesOfOneSenderOutOfOrderAreRoute6() {
        Conn a = online("ann");
        Conn b = online("bob");
        send(a, "SEND bob one\nSEND bob two\n");
        got(a, "OK delivered");
        got(a, "OK delivered");
        got(b, "MSG ann two");
        got(b, "MSG ann one");
        Divergence d = model.stuck(System.nanoTime());
        assertNotNull(d);
        assertTrue(d.clauses().contains("ROUTE-6"), d.text());
    }

    @Test
    void queuedMessagesComeOldestFirstAfterTheAuthReply() {
        Conn a = online("ann");
        Conn b = online("bob");
        send(b, "QUIT\n");
        got(b, "OK bye");
        model.observe(new Obs.Ended(b, ++seq, System.nanoTime(), false, new byte[0]));
        model.progress(System.nanoTime());
        send(a, "SEND bob one\nSEND bob two\n");
        got(a, "OK queued");
        got(a, "OK queued");
        Conn b2 = connect("c3");
        send(b2, "AUTH bob secret-of-bob\n");
        got(b2, "MSG ann two");
        got(b2, "OK authenticated");
        got(b2, "MSG ann one");
        Divergence d = model.stuck(System.nanoTime());
        assertNotNull(d);
        assertTrue(d.clauses().contains("QUEUE-3"), d.text());
    }

    @Test
    void aReversedFlushIsQueue3() {
        Conn a = online("ann");
        Conn b = online("bob");
        send(b, "QUIT\n");
        got(b, "OK bye");
        model.observe(new Obs.Ended(b, ++seq, System.nanoTime(), false, new byte[0]));
        send(a, "SEND bob 1\nSEND bob 2\nSEND bob 3\n");
        got(a, "OK queued");
        got(a, "OK queued");
        got(a, "OK queued");
        Conn b2 = connect("c3");
        send(b2, "AUTH bob secret-of-bob\nPING\n");
        got(b2, "OK authenticated");
        got(b2, "MSG ann 3");
        got(b2, "MSG ann 2");
        got(b2, "MSG ann 1");
        got(b2, "PONG");
        Divergence d = model.stuck(System.nanoTime());
        assertNotNull(d);
        assertEquals(java.util.List.of("QUEUE-3", "ROUTE-6"), d.clauses(), d.text());
    }

    @Test
    void aReversedFlushReadBeforeTheCloseIsStillQueue3() {
        Conn a = online("ann");
        Conn b = online("bob");
        send(b, "QUIT\n");
        got(b, "OK bye");
        model.observe(new Obs.Ended(b, ++seq, System.nanoTime(), false, new byte[0]));
        send(a, "SEND bob 1\nSEND bob 2\n");
        got(a, "OK queued");
        got(a, "OK queued");
        Conn b2 = connect("c3");
        send(b2, "AUTH bob secret-of-bob\nQUIT\n");
        model.observe(new Obs.Got(b2, ++seq, System.nanoTime(), "OK authenticated".getBytes(StandardCharsets.UTF_8)));
        model.observe(new Obs.Got(b2, ++seq, System.nanoTime(), "MSG ann 2".getBytes(StandardCharsets.UTF_8)));
        model.observe(new Obs.Got(b2, ++seq, System.nanoTime(), "MSG ann 1".getBytes(StandardCharsets.UTF_8)));
        model.observe(new Obs.Got(b2, ++seq, System.nanoTime(), "OK bye".getBytes(StandardCharsets.UTF_8)));
        model.observe(new Obs.Ended(b2, ++seq, System.nanoTime(), false, new byte[0]));
        model.progress(System.nanoTime());
        Divergence d = model.stuck(System.nanoTime());
        assertNotNull(d);
        assertEquals(java.util.List.of("QUEUE-3", "ROUTE-6"), d.clauses(), d.text());
    }

    @Test
    void aFourthQueuedMessageIsQueueFull() {
        Conn a = online("ann");
        Conn b = online("bob");
        send(b, "QUIT\n");
        got(b, "OK bye");
        model.observe(new Obs.Ended(b, ++seq, System.nanoTime(), false, new byte[0]));
        send(a, "SEND bob 1\nSEND bob 2\nSEND bob 3\nSEND bob 4\n");
        got(a, "OK queued");
        got(a, "OK queued");
        got(a, "OK queued");
        got(a, "OK queued");
        Divergence d = model.stuck(System.nanoTime());
        assertEquals("QUEUE-2", d.clauses().get(0), d.text());
    }

    @Test
    void noReplyAfterOkBye() {
        Conn a = connect("c1");
        send(a, "QUIT\nPING\n");
        got(a, "OK bye");
        got(a, "PONG");
        Divergence d = model.stuck(System.nanoTime());
        assertTrue(d.clauses().contains("WIRE-15"), d.text());
    }

    @Test
    void theOlderSessionIsReplacedWhateverOrderTheTwoConnectionsAreReadIn() {
        Conn a = online("ann");
        Conn a2 = connect("c2");
        send(a2, "AUTH ann secret-of-ann\n");
        got(a, "ERR session-replaced"); // read before the other connection's reply
        model.observe(new Obs.Ended(a, ++seq, System.nanoTime(), false, new byte[0]));
        got(a2, "OK authenticated");
        assertTrue(settled(), () -> model.stuck(System.nanoTime()).text());
    }
}
