package org.litsxg.conformance.explore;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.Tuple;

/**
 * The explorer's random actions, drawn with jqwik's generators from one seeded
 * {@link Random}, so a seed gives the same actions as long as the build answers the same way
 * (the choice of the next action looks at the model's state: who is connected, who is online).
 *
 * <p>Why jqwik's generators and not its stateful {@code ActionChain} with its shrinking: a chain
 * runs inside jqwik's engine as a property, and every try of a property here is a real server
 * process and real sockets over seconds of wall time; the command needs its own time budget,
 * its own progress output and exit status, and a replay that survives removing actions (an
 * action names a slot, not a connection). So generation uses jqwik's arbitraries (frequencies,
 * strings, sizes, edge cases) through {@link Arbitrary#generator(int)} without its engine, and
 * shrinking is {@link Shrinker}'s, by replaying on fresh servers within a time budget.
 */
final class RandomSource implements Explorer.Source {

    enum Choice { CONNECT, LINE, BATCH, HALF_CLOSE, CLOSE, RESET, STALL, RESUME, FLOOD, TERM, KILL, WAIT }

    /** Command words of other line protocols and the spec's own examples (CMD-1, FINAL-5 to FINAL-7, OPS-2, OPS-3, STORE-14). */
    private static final List<String> WORDS = List.of("VERSION", "CAP", "STARTTLS", "HELP", "LIST", "WHO", "NICK", "JOIN",
            "USER", "STATS", "HEALTH", "SHUTDOWN", "KICK", "ADMIN", "RELOAD", "DELETE", "RENAME", "ping", "Auth", "send", "MSG",
            "EHLO", "NOOP");

    private static final int GEN_SIZE = 1000;

    private final Random random;
    private final List<String> names;
    private final boolean restarts;
    private final Map<Arbitrary<?>, RandomGenerator<?>> generators = new HashMap<>();
    private int texts;

    private final Arbitrary<String> textChars = Arbitraries.strings()
            .withChars("abcdefghijklmnopqrstuvwxyz0123456789 .,:;!?'\"\\\t-_=<>{}[]()#@/")
            .withChars("éßøñ€漢字🙂")
            .ofMinLength(0).ofMaxLength(30);
    private final Arbitrary<byte[]> badBytes = Arbitraries.of(
            new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc0, (byte) 0x80}, new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[] {0x00}, new byte[] {0x1b}, new byte[] {0x7f}, new byte[] {(byte) 0xc2, (byte) 0x85},
            new byte[] {'\r', 'x'}, new byte[] {0x07});

    RandomSource(long seed, List<String> names, boolean restarts) {
        this.random = new Random(seed);
        this.names = names;
        this.restarts = restarts;
    }

    /** A value of {@code a}, drawn from this source's random (a generator made for this draw). */
    private <T> T draw(Arbitrary<T> a) {
        return a.generator(GEN_SIZE, true).next(random).value();
    }

    /** As {@link #draw}, keeping the generator: for the arbitraries held in fields. */
    @SuppressWarnings("unchecked")
    private <T> T drawKept(Arbitrary<T> a) {
        RandomGenerator<T> g = (RandomGenerator<T>) generators.computeIfAbsent(a, x -> x.generator(GEN_SIZE, true));
        return g.next(random).value();
    }

    private <T> T pick(List<T> l) {
        return draw(Arbitraries.of(l));
    }

    private int between(int lo, int hi) {
        return draw(Arbitraries.integers().between(lo, hi));
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    @Override
    public Action next(Explorer e) {
        int n = e.clients();
        List<Integer> free = new ArrayList<>();
        List<Integer> open = new ArrayList<>();
        List<Integer> stalled = new ArrayList<>();
        List<Integer> authed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Client c = e.open(i);
            if (c == null) {
                free.add(i);
            } else if (c.conn.stalled) {
                stalled.add(i);
            } else if (!c.conn.halfClosed) {
                open.add(i);
                if (c.conn.auth != null) {
                    authed.add(i);
                }
            }
        }
        List<Tuple.Tuple2<Integer, Choice>> w = new ArrayList<>();
        if (!free.isEmpty()) {
            w.add(Tuple.of(open.size() < 2 ? 30 : 8, Choice.CONNECT));
        }
        if (!open.isEmpty()) {
            w.add(Tuple.of(45, Choice.LINE));
            w.add(Tuple.of(7, Choice.BATCH));
            w.add(Tuple.of(2, Choice.HALF_CLOSE));
            w.add(Tuple.of(3, Choice.CLOSE));
            w.add(Tuple.of(2, Choice.RESET));
            w.add(Tuple.of(1, Choice.WAIT));
        }
        if (authed.size() >= 2 && stalled.isEmpty()) {
            w.add(Tuple.of(2, Choice.STALL));
        }
        if (!stalled.isEmpty()) {
            w.add(Tuple.of(4, Choice.RESUME));
            if (!authed.isEmpty()) {
                w.add(Tuple.of(8, Choice.FLOOD));
            }
        }
        if (restarts) {
            // Rare: a restart costs a process start and empties every queue (QUEUE-5).
            w.add(Tuple.of(1, chance(50) ? Choice.TERM : Choice.KILL));
        }
        Choice choice = draw(Arbitraries.frequency(w));
        return switch (choice) {
            case CONNECT -> new Action(Action.Kind.CONNECT, pick(free), null, null, chance(20) ? 1 : 0);
            case LINE -> {
                int slot = pick(open);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(line(e, e.open(slot).conn));
                out.write('\n');
                yield cut(slot, out.toByteArray());
            }
            case BATCH -> {
                int slot = pick(open);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int k = between(2, 6);
                for (int i = 0; i < k; i++) {
                    out.writeBytes(line(e, e.open(slot).conn));
                    out.write('\n');
                }
                if (chance(15)) {
                    out.writeBytes("PING".getBytes(StandardCharsets.US_ASCII)); // an unterminated remainder
                }
                yield cut(slot, out.toByteArray());
            }
            case HALF_CLOSE -> Action.of(Action.Kind.HALF_CLOSE, pick(open));
            case CLOSE -> Action.of(Action.Kind.CLOSE, pick(open));
            case RESET -> Action.of(Action.Kind.RESET, pick(open));
            case STALL -> Action.of(Action.Kind.STALL, pick(authed));
            case RESUME -> Action.of(Action.Kind.RESUME, pick(stalled));
            case FLOOD -> {
                int slot = pick(authed);
                Conn target = e.open(pick(stalled)).conn;
                String to = target.auth;
                // Not a stalled connection whose session has moved on (replaced: maybe to the sender).
                if (to == null || target.closeReason != null || to.equals(e.open(slot).conn.auth)) {
                    yield Action.of(Action.Kind.RESUME, pick(stalled));
                }
                int count = between(20, 60);
                String text = "flood-" + (++texts) + "-" + "x".repeat(3000);
                yield Action.send(slot, ("SEND " + to + " " + text + "\n").repeat(count));
            }
            case TERM -> Action.of(Action.Kind.TERM, -1);
            case KILL -> Action.of(Action.Kind.KILL, -1);
            case WAIT -> new Action(Action.Kind.WAIT, -1, null, null, between(200, 2500));
        };
    }

    /** Sometimes cuts a write into pieces at random offsets, inside UTF-8 characters too (HOST-2). */
    private Action cut(int slot, byte[] b) {
        if (b.length < 2 || !chance(15)) {
            return Action.send(slot, b, null);
        }
        int k = between(1, Math.min(3, b.length - 1));
        java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>();
        for (int i = 0; i < k; i++) {
            cuts.add(between(1, b.length - 1));
        }
        // Prefer a cut inside a multi-byte character when there is one.
        for (int i = 1; i < b.length; i++) {
            if ((b[i] & 0xc0) == 0x80 && chance(50)) {
                cuts.add(i);
                break;
            }
        }
        return Action.send(slot, b, cuts.stream().mapToInt(Integer::intValue).toArray());
    }

    private String secretOf(String name) {
        return "right-" + name + "-Qx7";
    }

    private String text() {
        String t = "m" + (++texts) + "-" + drawKept(textChars);
        return chance(10) ? " " + t + "  " : t;
    }

    /** The offline known name with the most queued messages (to reach QUEUE-2), or {@code fallback}. */
    private String fullestOffline(Model m, String fallback) {
        String best = null;
        for (String n : names) {
            if (m.identities().containsKey(n) && !m.isOnline(n) && (best == null || m.queued(n) > m.queued(best))) {
                best = n;
            }
        }
        return best == null ? fallback : best;
    }

    /** One line without its LF. */
    private byte[] line(Explorer e, Conn c) {
        String name = pick(names);
        String self = c.auth;
        Model m = e.model();
        List<Tuple.Tuple2<Integer, String>> w = new ArrayList<>();
        if (self == null) {
            w.add(Tuple.of(30, "auth-right"));
            w.add(Tuple.of(5, "auth-wrong"));
            w.add(Tuple.of(3, "auth-bad"));
            w.add(Tuple.of(4, "send"));
        } else {
            w.add(Tuple.of(3, "auth-right"));
            w.add(Tuple.of(2, "auth-wrong"));
            w.add(Tuple.of(25, "send"));
            w.add(Tuple.of(15, "send-offline"));
            w.add(Tuple.of(6, "send-self"));
            w.add(Tuple.of(2, "send-4096"));
        }
        w.add(Tuple.of(3, "send-unknown"));
        w.add(Tuple.of(3, "send-bad"));
        w.add(Tuple.of(10, "ping"));
        w.add(Tuple.of(2, "ping-bad"));
        w.add(Tuple.of(3, "quit"));
        w.add(Tuple.of(5, "unknown"));
        w.add(Tuple.of(2, "empty"));
        w.add(Tuple.of(5, "bad-encoding"));
        w.add(Tuple.of(2, "too-long"));
        String kind = draw(Arbitraries.frequency(w));
        String s = switch (kind) {
            case "auth-right" -> {
                // Often the name with the most queued messages, so that their flush is seen (QUEUE-3).
                String n = self == null && chance(50) ? fullestOffline(m, name) : name;
                yield "AUTH " + n + " " + secretOf(n);
            }
            case "auth-wrong" -> "AUTH " + name + " " + pick(List.of("wrong-" + name + "-pw", "wrong-" + name + "-éé", "right-" + name + "-Qx8"));
            case "auth-bad" -> pick(List.of("AUTH " + name, "AUTH " + name + " short", "AUTH " + name.toUpperCase() + " "
                    + secretOf(name), "AUTH " + name + " " + secretOf(name) + " extra", "AUTH  " + name + " " + secretOf(name),
                    "AUTH " + name + " " + secretOf(name) + " ", "AUTH " + name + " tab\tsecret1", "AUTH -" + name + " " + secretOf(name)));
            case "send" -> "SEND " + name + " " + text();
            case "send-self" -> "SEND " + self + " " + text();
            case "send-offline" -> "SEND " + fullestOffline(m, name) + " " + text();
            case "send-4096" -> {
                String head = "SEND " + name + " m" + (++texts) + "-";
                yield head + "y".repeat(4096 - head.length());
            }
            case "send-unknown" -> "SEND " + pick(List.of("nobody", "zed-" + between(0, 9), "x")) + " " + text();
            case "send-bad" -> pick(List.of("SEND " + name, "SEND " + name + " ", "SEND  " + name + " hi", "SEND "
                    + name.toUpperCase() + " hi", "SEND", "SEND _" + name + " hi"));
            case "ping" -> chance(20) ? "PING\r" : "PING";
            case "ping-bad" -> pick(List.of("PING ", "PING x", "PINGPONG"));
            case "quit" -> chance(25) ? "QUIT now" : "QUIT";
            case "unknown" -> pick(WORDS) + (chance(50) ? "" : " " + name);
            case "empty" -> chance(50) ? "" : "\r";
            case "too-long" -> "SEND " + name + " " + "z".repeat(between(4097, 6000));
            default -> null;
        };
        if (s != null) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        // bad-encoding: a well-formed command with a bad byte or control character in it
        byte[] base = pick(List.of("PING", "SEND " + name + " " + text(), "AUTH " + name + " " + secretOf(name)))
                .getBytes(StandardCharsets.UTF_8);
        byte[] bad = drawKept(badBytes);
        int at = between(0, base.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(base, 0, at);
        out.writeBytes(bad);
        out.write(base, at, base.length - at);
        if (m.isDown()) {
            return base;
        }
        return out.toByteArray();
    }
}
