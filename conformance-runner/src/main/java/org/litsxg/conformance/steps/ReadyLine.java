package org.litsxg.conformance.steps;

import java.util.Arrays;
import java.util.Optional;

/**
 * The ready line (PROC-8): {@code litsxg listening on <address>:<port>}, the address in its
 * canonical text ({@link AddressText}).
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

    /**
     * Whether the ready line's {@code host} names {@code expected} (an address in any valid text,
     * IPv6 with or without brackets) in its canonical text.
     */
    static boolean sameAddress(String host, String expected) {
        Optional<byte[]> want = AddressText.parse(expected);
        Optional<byte[]> got = AddressText.parse(host);
        return want.isPresent() && got.isPresent() && Arrays.equals(want.get(), got.get())
                && AddressText.violations(host).isEmpty();
    }

    /** An address as the ready line writes it: IPv6 in brackets. */
    static String literal(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
