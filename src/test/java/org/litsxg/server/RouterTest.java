package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router router = new Router(new HashSet<>(Set.of("alice", "bob")), 3);

    @Test
    void unknownRecipientIsRefused() {
        assertEquals(Router.SendOutcome.UNKNOWN_RECIPIENT, router.send("alice", "carol", "hi"));
        router.register("carol");
        assertEquals(Router.SendOutcome.QUEUED, router.send("alice", "carol", "hi"));
    }

    @Test
    void connectedRecipientGetsTheMsgLine() {
        RecordingPeer bob = new RecordingPeer(1 << 20);
        router.bind("bob", bob);
        assertEquals(Router.SendOutcome.DELIVERED, router.send("alice", "bob", "hi  there\t!"));
        assertEquals(List.of("MSG alice hi  there\t!"), bob.lines);
    }

    @Test
    void queueHoldsUpToTheCapThenRefuses() {
        for (int i = 1; i <= 3; i++) {
            assertEquals(Router.SendOutcome.QUEUED, router.send("alice", "bob", "m" + i));
        }
        assertEquals(Router.SendOutcome.QUEUE_FULL, router.send("alice", "bob", "m4"));
        assertEquals(3, router.queued("bob"));
        RecordingPeer bob = new RecordingPeer(1 << 20);
        router.bind("bob", bob);
        assertEquals(List.of("MSG alice m1", "MSG alice m2", "MSG alice m3"), bob.lines, "oldest first, the 4th dropped");
        assertEquals(0, router.queued("bob"));
    }

    @Test
    void liveMessagesWaitBehindADrainingQueue() {
        for (int i = 0; i < 3; i++) {
            router.send("alice", "bob", "x".repeat(30_000));
        }
        RecordingPeer bob = new RecordingPeer(1 << 20);
        router.bind("bob", bob);
        assertEquals(3, bob.lines.size(), "drained while under the 64 KiB window: 30k, 60k, then stop at >= 64k");
        Router.SendOutcome live = router.send("alice", "bob", "live");
        assertEquals(Router.SendOutcome.DELIVERED, live);
        assertEquals("MSG alice live", bob.lines.get(bob.lines.size() - 1));
    }

    @Test
    void drainStopsAtTheWindowAndResumesWhenTheSocketTakesOutput() {
        Router big = new Router(new HashSet<>(Set.of("bob")), 1000);
        for (int i = 0; i < 10; i++) {
            big.send("alice", "bob", i + "y".repeat(20_000));
        }
        RecordingPeer bob = new RecordingPeer(1 << 20);
        big.bind("bob", bob);
        assertEquals(4, bob.lines.size());
        assertEquals(Router.SendOutcome.DELIVERED, big.send("alice", "bob", "live"));
        assertEquals(4, bob.lines.size(), "a live message joins the queue's tail");
        bob.pending = 0;
        big.drain("bob");
        bob.pending = 0;
        big.drain("bob");
        bob.pending = 0;
        big.drain("bob");
        assertEquals(11, bob.lines.size());
        assertEquals("MSG alice live", bob.lines.get(10));
        for (int i = 0; i < 10; i++) {
            assertTrue(bob.lines.get(i).startsWith("MSG alice " + i));
        }
    }

    @Test
    void aDroppedReaderTurnsTheMessageIntoAQueuedOne() {
        RecordingPeer bob = new RecordingPeer(100);
        bob.onDrop = () -> router.unbind("bob", bob);
        router.bind("bob", bob);
        assertEquals(Router.SendOutcome.DELIVERED, router.send("alice", "bob", "a".repeat(50)));
        assertEquals(Router.SendOutcome.QUEUED, router.send("alice", "bob", "b".repeat(50)));
        assertTrue(bob.dropped);
        assertFalse(router.isOnline("bob"));
        assertEquals(1, router.queued("bob"));
    }

    @Test
    void bindingAnOnlineNameReplacesTheOlderPeer() {
        RecordingPeer first = new RecordingPeer(1 << 20);
        RecordingPeer second = new RecordingPeer(1 << 20);
        router.bind("bob", first);
        router.bind("bob", second);
        assertTrue(first.replacedFlag);
        router.unbind("bob", first);
        assertTrue(router.isOnline("bob"), "the older peer leaving does not unbind the newer one");
        router.send("alice", "bob", "hi");
        assertEquals(List.of("MSG alice hi"), second.lines);
        assertEquals(List.of(), first.lines);
    }

    @Test
    void zeroQueueCapQueuesNothing() {
        Router none = new Router(new HashSet<>(Set.of("bob")), 0);
        assertEquals(Router.SendOutcome.QUEUE_FULL, none.send("alice", "bob", "hi"));
    }
    /**
     * Found by SessionFuzzTest (seed big-queue-then-reconnect): with --max-pending-bytes below the
     * 64 KiB drain window (8192 is allowed), draining a queue of three 4000-byte messages to a
     * reader that has just authenticated pushed its pending output past the bound, so the server
     * dropped it as a slow consumer: its AUTH was answered ERR slow-consumer and two queued
     * messages were lost, on every reconnection.
     */
    @Test
    void drainingAQueueNeverPushesAFreshReaderPastItsPendingBound() {
        long bound = ServerConfig.MIN_PENDING_BYTES;
        Router small = new Router(new HashSet<>(Set.of("alice", "bob")), 1000, bound);
        for (int i = 0; i < 3; i++) {
            assertEquals(Router.SendOutcome.QUEUED, small.send("alice", "bob", "#" + i + " " + ".".repeat(3990)));
        }
        RecordingPeer bob = new RecordingPeer(bound);
        bob.reply(WireLines.Reply.AUTHENTICATED);
        bob.pending = "OK authenticated\n".length();
        small.bind("bob", bob);
        assertFalse(bob.dropped, "a reader that has not stopped reading is not dropped by its own queue");
        assertTrue(bob.pending <= bound);
        while (small.queued("bob") > 0) {
            bob.pending = 0; // the socket took everything
            small.drain("bob");
            assertFalse(bob.dropped);
        }
        assertEquals(4, bob.lines.size(), "OK authenticated, then all three messages");
    }

    @Test
    void theLongestMsgLineStillFitsUnderTheSmallestBound() {
        String longestText = ".".repeat(LineFramer.MAX_LINE_BYTES - "SEND b ".length());
        byte[] line = ("MSG " + "a".repeat(CommandParser.MAX_NAME_CHARS) + " " + longestText + "\n").getBytes();
        assertEquals(WireLines.MAX_MSG_LINE_BYTES, line.length);
        assertTrue(Router.drainWindow(ServerConfig.MIN_PENDING_BYTES) > 0);
        assertTrue(Router.drainWindow(ServerConfig.MIN_PENDING_BYTES) + WireLines.MAX_MSG_LINE_BYTES <= ServerConfig.MIN_PENDING_BYTES);
        assertEquals(Router.DRAIN_WINDOW_BYTES, Router.drainWindow(ServerConfig.DEFAULT_MAX_PENDING_BYTES));
    }
}
