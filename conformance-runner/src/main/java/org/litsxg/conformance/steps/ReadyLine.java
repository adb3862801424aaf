package org.litsxg.conformance.steps;

/**
 * The ready line (PROC-8): {@code litsxg listening on <address>:<port>}, the address in its
 * canonical text.
 */
final class ReadyLine {

    /** The ready line's prefix. */
    static final String PREFIX = "litsxg listening on ";

    /** The address and the port a ready line names, as text. */
    record Named(String host, String port) {
    }

    private ReadyLine() {
    }

    static boolean is(String line) {
        return line.startsWith(PREFIX);
    }

    /** What follows the prefix, split at its last colon (the host empty when there is none). */
    static Named parse(String line) {
        String rest = line.substring(PREFIX.length());
        int colon = rest.lastIndexOf(':');
        return colon < 0 ? new Named("", "") : new Named(rest.substring(0, colon), rest.substring(colon + 1));
    }

    /** An address as the ready line writes it: IPv6 in brackets. */
    static String literal(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
