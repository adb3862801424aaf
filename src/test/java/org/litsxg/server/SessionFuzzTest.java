package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.litsxg.server.WireLines.Reply;

/**
 * Coverage-guided fuzzing of {@link Session} with {@link Router} and a real {@link IdentityStore}
 * (one per run in a temporary directory, emptied before each input; its AUTHs run synchronously,
 * their answers are handed back when the script says so). The input is a script, one step per line; the
 * first character picks one of four connection slots, the second the step:
 *
 * <pre>
 *   0&gt;AUTH alice secret123   the client sends that line (bytes after '&gt;'; decoded as the
 *                            server decodes, so bad UTF-8 or a control character is bad-encoding)
 *   1a alice / 1w alice      AUTH alice with its right / a wrong secret
 *   2m bob 3000              SEND bob a unique message padded to about 3000 bytes
 *   3c                       the identity store answers this slot's pending AUTH
 *   0f                       the client reads: its pending output is taken (and queues drain)
 *   0t  0e  0b  0l           auth deadline, end of input, a badly encoded line, a too-long line
 *   0x  0n                   the socket resets; a new connection in this slot
 * </pre>
 *
 * A fake connection mirrors {@link Connection}: lines wait while input is paused (an AUTH with
 * the store), the connection is closing, or its own pending output exceeds a backpressure
 * threshold; output beyond the pending bound drops it. Checked: the state machine never throws;
 * every line handled while the connection is open gets exactly one reply, in order, from the
 * allowed set for that line; a server-initiated ERR is the last line before the close; nothing
 * is written after the close decision; MSG lines reach only authenticated connections, and for
 * every sender and recipient arrive in the order the SENDs were accepted, without duplicates; a
 * connection is not dropped as a slow consumer while it is being handed its own queue.
 * Seeds: {@code SessionFuzzTestInputs/}; {@code -Dlitsxg.fuzz.trace=true} prints every
 * connection's output.
 */
class SessionFuzzTest {
    static final int SLOTS = 4;
    /** The smallest bound the server accepts, so that slow-consumer drops are reachable. */
    static final long MAX_PENDING = ServerConfig.MIN_PENDING_BYTES;
    static final int BACKPRESSURE = 2048;
    static final int MAX_QUEUED = 4;
    static final int MAX_STEPS = 200;

    private static final Set<String> SERVER_INITIATED = Set.of(
            Reply.ERR_SESSION_REPLACED.text(), Reply.ERR_AUTH_TIMEOUT.text(), Reply.ERR_LINE_TOO_LONG.text());
    private static final Set<String> AUTH_OUTCOMES = Set.of(Reply.REGISTERED.text(), Reply.AUTHENTICATED.text(),
            Reply.ERR_AUTH_FAILED.text());
    private static final Set<String> SEND_REPLIES = Set.of(Reply.DELIVERED.text(), Reply.QUEUED.text(),
            Reply.ERR_NOT_AUTHENTICATED.text(), Reply.ERR_UNKNOWN_RECIPIENT.text(), Reply.ERR_QUEUE_FULL.text());

    /** One store for the run (opening SQLite per input would dominate); emptied before each input. */
    private static Path storeDir;
    private static IdentityStore store;
    private static java.sql.Connection wiper;

    // libFuzzer dictionary syntax: \x0A is the LF that starts a script step
    @DictionaryEntries({"\\x0A0>AUTH ", "\\x0A1>SEND ", "\\x0A2>PING", "\\x0A3>QUIT", "\\x0A0a alice", "\\x0A1a bob",
        "\\x0A2w alice", "\\x0A1m bob 4000", "\\x0A0m alice 3000", "\\x0A2m carol 10", "\\x0A0c", "\\x0A1c", "\\x0A1f",
        "\\x0A0t", "\\x0A1e", "\\x0A2b", "\\x0A3l", "\\x0A0x", "\\x0A1n", " secret-of-alice", " wrong-secret"})
    @FuzzTest(maxDuration = "60s")
    void everyLineGetsOneAllowedReplyAndMessagesKeepTheirOrder(byte[] input) throws Exception {
        if (store == null) {
            storeDir = Files.createTempDirectory(tempRoot(), "litsxg-session-fuzz");
            store = IdentityStore.open(storeDir, PasswordHash.MIN_ITERATIONS);
            wiper = DriverManager.getConnection("jdbc:sqlite:" + storeDir.resolve(IdentityStore.FILE_NAME));
        }
        try (Statement s = wiper.createStatement()) {
            s.execute("DELETE FROM identities");
        }
        new World(store).run(input);
    }

    @AfterAll
    static void closeStore() throws Exception {
        if (store == null) {
            return;
        }
        wiper.close();
        store.close();
        store = null;
        try (Stream<Path> files = Files.walk(storeDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** tmpfs when there is one: SQLite's fsyncs then cost nothing while fuzzing. */
    private static Path tempRoot() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** One server's sessions, router and store, driven by a script. */
    static final class World {
        final IdentityStore store;
        final Router router;
        final FakeConnection[] slots = new FakeConnection[SLOTS];
        final List<FakeConnection> all = new ArrayList<>();
        /** Every well-formed SEND of an authenticated session, per "from to", in order. */
        final Map<String, List<Sent>> sends = new HashMap<>();
        /** MSG texts received, per "from to", in the order they arrived. */
        final Map<String, List<String>> received = new HashMap<>();
        final Map<FakeConnection, Runnable> pendingAuth = new LinkedHashMap<>();
        int messageSeq;

        World(IdentityStore store) throws SQLException {
            this.store = store;
            this.router = new Router(new HashSet<>(store.names()), MAX_QUEUED, MAX_PENDING);
            for (int i = 0; i < SLOTS; i++) {
                slots[i] = connect();
            }
        }

        FakeConnection connect() {
            FakeConnection c = new FakeConnection(this);
            all.add(c);
            return c;
        }

        /** The store works at once (synchronously); its answer waits for the script or the end. */
        void authenticate(FakeConnection owner, String name, String secret, Consumer<IdentityStore.Outcome> done) {
            IdentityStore.Outcome outcome;
            try {
                outcome = store.authenticate(name, secret);
            } catch (SQLException e) {
                throw new AssertionError("identity store failed", e);
            }
            assertTrue(pendingAuth.put(owner, () -> done.accept(outcome)) == null, "one AUTH at a time per connection");
        }

        void run(byte[] input) {
            int steps = 0;
            for (String raw : new String(input, StandardCharsets.ISO_8859_1).split("\n", -1)) {
                if (raw.length() < 2 || steps++ >= MAX_STEPS) {
                    continue;
                }
                FakeConnection c = slots[raw.charAt(0) % SLOTS];
                String arg = raw.startsWith(" ", 2) ? raw.substring(3) : raw.substring(2);
                switch (raw.charAt(1)) {
                    case '>' -> c.receive(raw.substring(2).getBytes(StandardCharsets.ISO_8859_1));
                    case 'a' -> c.receive(ascii("AUTH " + arg + " secret-of-" + arg));
                    case 'w' -> c.receive(ascii("AUTH " + arg + " wrong-secret"));
                    case 'm' -> c.receive(ascii(message(arg)));
                    case 'c' -> complete(c);
                    case 'f' -> c.read();
                    case 't' -> c.authDeadline();
                    case 'e' -> c.enqueue(Item.EOF);
                    case 'b' -> c.enqueue(Item.BAD);
                    case 'l' -> c.enqueue(Item.TOO_LONG);
                    case 'x' -> c.reset();
                    case 'n' -> {
                        c.reset();
                        slots[raw.charAt(0) % SLOTS] = connect();
                    }
                    default -> { }
                }
                checkAll();
            }
            // the store always answers in the end
            while (!pendingAuth.isEmpty()) {
                complete(pendingAuth.keySet().iterator().next());
                checkAll();
            }
            for (FakeConnection c : all) {
                c.read();
                checkAll();
            }
            checkMessageOrder();
            if (Boolean.getBoolean("litsxg.fuzz.trace")) {
                for (FakeConnection c : all) {
                    System.err.println("trace: " + c.session.state() + (c.dropped ? " (dropped) " : " ") + c.out);
                }
            }
        }

        private String message(String arg) {
            int space = arg.indexOf(' ');
            String to = space < 0 ? arg : arg.substring(0, space);
            int size = 0;
            if (space >= 0) {
                try {
                    size = Math.min(LineFramer.MAX_LINE_BYTES, Integer.parseInt(arg.substring(space + 1).trim()));
                } catch (NumberFormatException e) {
                    size = 0;
                }
            }
            String head = "SEND " + to + " #" + (messageSeq++) + " ";
            int padding = Math.max(0, Math.min(size, LineFramer.MAX_LINE_BYTES) - head.length());
            return head + "." .repeat(padding);
        }

        void complete(FakeConnection c) {
            Runnable done = pendingAuth.remove(c);
            if (done != null) {
                boolean wasOpen = !c.closed;
                done.run();
                assertFalse(wasOpen && c.dropped,
                        "a connection is not dropped as a slow consumer while it is handed its own queue (QUEUE-3)");
                c.pump();
            }
        }

        void checkAll() {
            for (FakeConnection c : all) {
                c.check();
            }
        }

        void checkMessageOrder() {
            for (Map.Entry<String, List<String>> e : received.entrySet()) {
                // a SEND whose reply was lost with its connection may still have been queued
                List<String> sent = sends.getOrDefault(e.getKey(), List.of()).stream()
                        .filter(m -> !m.rejected).map(m -> m.text).toList();
                int i = 0;
                for (String text : e.getValue()) {
                    while (i < sent.size() && !sent.get(i).equals(text)) {
                        i++;
                    }
                    assertTrue(i < sent.size(), "MSG " + e.getKey() + " " + text
                            + " arrives in the order the SENDs were accepted, once: accepted " + sent + ", received " + e.getValue());
                    i++;
                }
            }
        }
    }

    /** One SEND: its text, and whether it was answered with an ERR. */
    static final class Sent {
        final String text;
        boolean rejected;

        Sent(String text) {
            this.text = text;
        }
    }

    enum Kind { LINE, BAD, TOO_LONG, EOF }

    record Item(Kind kind, String line) {
        static final Item BAD = new Item(Kind.BAD, null);
        static final Item TOO_LONG = new Item(Kind.TOO_LONG, null);
        static final Item EOF = new Item(Kind.EOF, null);
    }

    /** What an answer to one handled line may be. */
    record Expect(String line, Set<String> allowed) {
    }

    /** A connection as {@link Connection} behaves towards its session and the router. */
    static final class FakeConnection implements Transport {
        final World world;
        final Session session;
        final ArrayDeque<Item> input = new ArrayDeque<>();
        final ArrayDeque<Expect> awaiting = new ArrayDeque<>();
        final List<String> out = new ArrayList<>();
        final LineDecoder decoder = new LineDecoder();
        long pending;
        boolean paused;
        boolean closing;
        boolean closed;
        boolean dropped;
        boolean inputEnded;
        boolean framingFailed;
        boolean pumping;
        String serverInitiated;
        /** The SEND being handled, until its reply. */
        Sent sendInFlight;

        FakeConnection(World world) {
            this.world = world;
            this.session = new Session(this, world.router, this::authenticate, System.getLogger("fuzz"));
        }

        private void authenticate(String name, String secret, Consumer<IdentityStore.Outcome> done) {
            world.authenticate(this, name, secret, done);
        }

        /** Raw line bytes from the client (no LF): framed and decoded as the connection does. */
        void receive(byte[] raw) {
            int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
            if (length > LineFramer.MAX_LINE_BYTES) {
                enqueue(Item.TOO_LONG);
                return;
            }
            if (length == 0) {
                return; // an empty line is ignored
            }
            String line = decoder.decode(raw, 0, length);
            enqueue(line == null ? Item.BAD : new Item(Kind.LINE, line));
        }

        void enqueue(Item item) {
            if (closed || closing || inputEnded || framingFailed) {
                return;
            }
            if (item.kind() == Kind.TOO_LONG) {
                framingFailed = true;
            }
            if (item.kind() == Kind.EOF) {
                inputEnded = true;
            }
            input.add(item);
            pump();
        }

        private boolean inputBlocked() {
            return paused || closing || closed || pending > BACKPRESSURE;
        }

        /** Hands waiting input to the session while the connection would read. */
        void pump() {
            if (pumping) {
                return; // resumeInput inside a handled line: the outer loop goes on
            }
            pumping = true;
            try {
                while (!input.isEmpty() && !inputBlocked()) {
                    handle(input.poll());
                }
            } finally {
                pumping = false;
            }
        }

        private void handle(Item item) {
            Session.State before = session.state();
            assertNotEquals(Session.State.CLOSED, before, "the harness hands lines only to open sessions");
            assertNotEquals(Session.State.AUTHENTICATING, before, "the harness hands lines only to open sessions");
            switch (item.kind()) {
                case BAD -> {
                    awaiting.add(new Expect("<bad encoding>", Set.of(Reply.ERR_BAD_ENCODING.text())));
                    session.onBadEncoding();
                }
                case TOO_LONG -> session.onLineTooLong();
                case EOF -> session.onEndOfInput();
                case LINE -> line(item.line());
            }
        }

        private void line(String line) {
            CommandParser.Result parsed = CommandParser.parse(line);
            Set<String> allowed;
            sendInFlight = null;
            if (parsed.error() != null) {
                allowed = Set.of(parsed.error().text());
            } else if (parsed.command() instanceof Command.Ping) {
                allowed = Set.of(Reply.PONG.text());
            } else if (parsed.command() instanceof Command.Quit) {
                allowed = Set.of(Reply.BYE.text());
            } else if (parsed.command() instanceof Command.Auth) {
                allowed = session.state() == Session.State.AUTHENTICATED
                        ? Set.of(Reply.ERR_ALREADY_AUTHENTICATED.text()) : AUTH_OUTCOMES;
            } else {
                Command.Send send = (Command.Send) parsed.command();
                allowed = session.name() == null ? Set.of(Reply.ERR_NOT_AUTHENTICATED.text()) : SEND_REPLIES;
                if (session.name() != null) {
                    sendInFlight = new Sent(send.text());
                    world.sends.computeIfAbsent(session.name() + " " + send.to(), k -> new ArrayList<>()).add(sendInFlight);
                }
            }
            awaiting.add(new Expect(line, allowed));
            int before = out.size();
            boolean more = session.onLine(line);
            if (!more && !closed && !closing) {
                assertEquals(Session.State.AUTHENTICATING, session.state(), "a line stops input only for AUTH or a close: " + line);
                assertTrue(paused, "input is paused while the store works");
            }
            if (more && !closed) {
                assertEquals(before + 1, replies(before), "one reply to " + line);
            }
        }

        private int replies(int from) {
            int n = from;
            for (int i = from; i < out.size(); i++) {
                if (!out.get(i).startsWith("MSG ")) {
                    n++;
                }
            }
            return n;
        }

        // ---- Transport ----

        @Override
        public void reply(Reply reply) {
            String line = reply.text();
            if (closed) {
                return; // a closed connection discards output, as Connection.reply does
            }
            assertFalse(closing, "nothing is written after the close decision: " + line + " after " + out);
            assertFalse(line.startsWith("MSG "), "a reply is never a MSG line");
            out.add(line);
            pending += line.length() + 1;
            if (SERVER_INITIATED.contains(line) && (awaiting.isEmpty() || !awaiting.peek().allowed().contains(line))) {
                serverInitiated = line;
                return;
            }
            Expect expect = awaiting.poll();
            if (expect == null) {
                fail("a reply with no line to answer: " + line + "; output " + out);
            }
            assertTrue(expect.allowed().contains(line), "reply to " + expect.line() + " is one of " + expect.allowed() + ", not " + line);
            if (sendInFlight != null) {
                sendInFlight.rejected = line.startsWith("ERR ");
            }
            sendInFlight = null;
        }

        @Override
        public void closeAfterFlush() {
            closing = true;
            input.clear();
        }

        @Override
        public void pauseInput() {
            paused = true;
        }

        @Override
        public void resumeInput() {
            paused = false;
            pump();
        }

        // ---- Peer ----

        @Override
        public boolean offer(byte[] line) {
            if (closed || closing) {
                return false;
            }
            assertEquals(Session.State.AUTHENTICATED, session.state(), "MSG lines go to authenticated connections only");
            if (pending + line.length > MAX_PENDING) {
                dropped = true;
                closeNow();
                return false;
            }
            String text = new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
            assertTrue(text.startsWith("MSG ") && line[line.length - 1] == '\n', "a MSG line: " + text);
            String[] parts = text.split(" ", 3);
            world.received.computeIfAbsent(parts[1] + " " + session.name(), k -> new ArrayList<>()).add(parts[2]);
            out.add(text);
            pending += line.length;
            return true;
        }

        @Override
        public long pendingBytes() {
            return pending;
        }

        @Override
        public void replaced() {
            session.onReplaced();
        }

        // ---- harness events ----

        /** The client takes everything pending; the connection then tells its session, as flush does. */
        void read() {
            if (closed) {
                return;
            }
            pending = 0;
            if (closing) {
                closeNow();
                return;
            }
            session.onOutputWritten();
            assertFalse(dropped, "a reader that has just taken all its output is not dropped by its queue's drain");
            pump();
        }

        void authDeadline() {
            if (!closed) {
                session.onAuthDeadline();
            }
        }

        void reset() {
            closeNow();
        }

        void closeNow() {
            if (closed) {
                return;
            }
            closed = true;
            input.clear();
            session.onClosed();
        }

        /** Invariants that hold between steps. */
        void check() {
            if (serverInitiated != null) {
                assertTrue(closing || closed, serverInitiated + " is followed by the close");
                assertEquals(serverInitiated, lastReply(), serverInitiated + " is the last line");
            }
            if (closed || closing) {
                assertEquals(Session.State.CLOSED, session.state(), "a closed connection's session is closed");
                return;
            }
            boolean inFlight = session.state() == Session.State.AUTHENTICATING;
            assertEquals(inFlight ? 1 : 0, awaiting.size(), "every handled line has its reply, in order; waiting: " + awaiting);
            assertEquals(inFlight, paused, "input is paused exactly while an AUTH is with the store");
            if (!inputBlocked()) {
                assertTrue(input.isEmpty(), "an open connection that can read has no waiting input");
            }
        }

        private String lastReply() {
            for (int i = out.size() - 1; i >= 0; i--) {
                if (!out.get(i).startsWith("MSG ")) {
                    return out.get(i);
                }
            }
            return null;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
