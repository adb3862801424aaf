package org.litsxg.conformance.explore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.litsxg.conformance.support.Transcript;

/**
 * One thing the explorer does. Actions name a client slot, not a connection, so that a
 * sequence still runs when the shrinker removes some of its actions: an action whose slot has
 * no open connection (or already has one, for {@link Kind#CONNECT}) is skipped.
 *
 * @param kind what
 * @param slot the client slot (0-based), or -1 for server actions
 * @param bytes what {@link Kind#SEND} writes
 * @param cuts for {@link Kind#SEND}: byte offsets at which the write is split into separate
 *     writes, each sent with TCP_NODELAY and a pause before it (HOST-2)
 * @param n for {@link Kind#CONNECT}: 1 for small socket buffers; for {@link Kind#WAIT}: milliseconds
 */
public record Action(Kind kind, int slot, byte[] bytes, int[] cuts, int n) {

    public enum Kind { CONNECT, SEND, HALF_CLOSE, CLOSE, RESET, STALL, RESUME, TERM, KILL, WAIT }

    public Action {
        bytes = bytes == null ? new byte[0] : bytes;
        cuts = cuts == null ? new int[0] : cuts;
    }

    static Action of(Kind k, int slot) {
        return new Action(k, slot, null, null, 0);
    }

    static Action send(int slot, byte[] bytes, int[] cuts) {
        return new Action(Kind.SEND, slot, bytes, cuts, 0);
    }

    static Action send(int slot, String text) {
        return send(slot, text.getBytes(StandardCharsets.UTF_8), null);
    }

    /** The same action on another slot. */
    Action onSlot(int s) {
        return new Action(kind, s, bytes, cuts, n);
    }

    /** The same SEND with fewer bytes or cuts (for shrinking). */
    Action withBytes(byte[] b, int[] c) {
        return new Action(kind, slot, b, c, n);
    }

    /** Bytes the action puts on the wire (for the shrinker's "fewest bytes"). */
    int size() {
        return bytes.length + 1;
    }

    @Override
    public String toString() {
        String who = slot >= 0 ? " slot " + slot : "";
        return switch (kind) {
            case SEND -> "SEND" + who + " \"" + abbreviate(Transcript.render(bytes)) + "\""
                    + (cuts.length > 0 ? " cut at " + Arrays.toString(cuts) : "");
            case CONNECT -> "CONNECT" + who + (n == 1 ? " (small buffers)" : "");
            case WAIT -> "WAIT " + n + " ms";
            default -> kind + who;
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 120) + "...(" + s.length() + " chars)..." + s.substring(s.length() - 40);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Action a && a.kind == kind && a.slot == slot && Arrays.equals(a.bytes, bytes)
                && Arrays.equals(a.cuts, cuts) && a.n == n;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + kind.hashCode() * 7 + slot;
    }
}
