package org.litsxg.conformance.steps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads an address as text, without the resolver, and judges whether the text is the canonical
 * form PROC-8 asks of the ready line: an IPv4 address as a dotted quad without leading zeros, an
 * IPv6 address in brackets, in the form RFC 5952 section 4 prescribes. The checker is written from
 * the RFC's rules, one by one, and names the rule a text breaks; it formats nothing, so it cannot
 * share a formatter's bugs. Mixed notation (RFC 5952 section 5, {@code ::ffff:192.0.2.1}) is not
 * read: no scenario binds such an address.
 */
final class AddressText {

    private AddressText() {
    }

    /**
     * The 4 or 16 bytes of {@code text}: a dotted quad, or an IPv6 address with or without
     * brackets, in any valid form (leading zeros, upper case, {@code ::} anywhere); empty if it
     * is neither.
     */
    static Optional<byte[]> parse(String text) {
        if (text.startsWith("[") && text.endsWith("]")) {
            return parse6(text.substring(1, text.length() - 1));
        }
        return text.contains(":") ? parse6(text) : parse4(text);
    }

    private static Optional<byte[]> parse4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("[0-9]{1,3}") || Integer.parseInt(parts[i]) > 255) {
                return Optional.empty();
            }
            out[i] = (byte) Integer.parseInt(parts[i]);
        }
        return Optional.of(out);
    }

    private static Optional<byte[]> parse6(String text) {
        List<Integer> groups = groups(text).orElse(null);
        if (groups == null) {
            return Optional.empty();
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (groups.get(i) >> 8);
            out[2 * i + 1] = (byte) (int) groups.get(i);
        }
        return Optional.of(out);
    }

    /** The eight 16-bit fields of an IPv6 text (without brackets), the {@code ::} expanded. */
    private static Optional<List<Integer>> groups(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return Optional.empty();
        }
        List<String> left = fields(gap < 0 ? text : text.substring(0, gap));
        List<String> right = gap < 0 ? List.of() : fields(text.substring(gap + 2));
        if (left == null || right == null) {
            return Optional.empty();
        }
        int elided = 8 - left.size() - right.size();
        if (gap < 0 ? elided != 0 : elided < 1) {
            return Optional.empty();
        }
        List<Integer> out = new ArrayList<>();
        left.forEach(f -> out.add(Integer.parseInt(f, 16)));
        for (int i = 0; i < (gap < 0 ? 0 : elided); i++) {
            out.add(0);
        }
        right.forEach(f -> out.add(Integer.parseInt(f, 16)));
        return Optional.of(out);
    }

    /** The colon-separated fields of one side of {@code ::}; null if one is not 1 to 4 hex digits. */
    private static List<String> fields(String side) {
        if (side.isEmpty()) {
            return List.of();
        }
        List<String> out = Arrays.asList(side.split(":", -1));
        return out.stream().allMatch(f -> f.matches("[0-9A-Fa-f]{1,4}")) ? out : null;
    }

    /**
     * The rules {@code text} breaks as the ready line's text of an address (empty when it is the
     * canonical form): a dotted quad without leading zeros, or an IPv6 address in brackets,
     * written as RFC 5952 section 4 says.
     */
    static List<String> violations(String text) {
        if (!text.startsWith("[")) {
            if (text.contains(":")) {
                return List.of("an IPv6 address is written in brackets");
            }
            if (parse4(text).isEmpty()) {
                return List.of("not an IPv4 dotted quad");
            }
            return Arrays.stream(text.split("\\.")).anyMatch(p -> p.length() > 1 && p.startsWith("0"))
                    ? List.of("leading zeros in a dotted quad") : List.of();
        }
        if (!text.endsWith("]")) {
            return List.of("an IPv6 address is written in brackets");
        }
        String inner = text.substring(1, text.length() - 1);
        List<Integer> g = groups(inner).orElse(null);
        if (g == null) {
            return List.of("not an IPv6 address");
        }
        List<String> broken = new ArrayList<>();
        for (String f : inner.split(":")) {
            if (f.length() > 1 && f.startsWith("0")) {
                broken.add("RFC 5952 4.1: leading zeros in field " + f);
            }
            if (!f.equals(f.toLowerCase(Locale.ROOT))) {
                broken.add("RFC 5952 4.3: upper-case hex digits in field " + f);
            }
        }
        int gap = inner.indexOf("::");
        int gapStart = gap < 0 ? -1 : (gap == 0 ? 0 : inner.substring(0, gap).split(":").length);
        int gapLength = gap < 0 ? 0 : 8 - (int) Arrays.stream(inner.split(":")).filter(f -> !f.isEmpty()).count();
        if (gapLength == 1) {
            broken.add("RFC 5952 4.2.2: :: stands for a single 0 field");
        }
        if (gap >= 0 && (gapStart > 0 && g.get(gapStart - 1) == 0
                || gapStart + gapLength < 8 && g.get(gapStart + gapLength) == 0)) {
            broken.add("RFC 5952 4.2.1: :: does not take in the whole run of 0 fields next to it");
        }
        // Runs of 0 fields written out: none may be of two fields or more without a :: (4.2.1),
        // longer than the one :: stands for, or as long and before it (4.2.3).
        for (int i = 0; i < 8; i++) {
            if (g.get(i) != 0 || gap >= 0 && i >= gapStart && i < gapStart + gapLength) {
                continue;
            }
            int j = i;
            while (j < 8 && g.get(j) == 0 && !(gap >= 0 && j >= gapStart && j < gapStart + gapLength)) {
                j++;
            }
            int run = j - i;
            if (gap < 0 && run >= 2) {
                broken.add("RFC 5952 4.2.1: " + run + " 0 fields written out instead of ::");
            } else if (gap >= 0 && (run > gapLength || run == gapLength && i < gapStart)) {
                broken.add("RFC 5952 4.2.3: :: does not stand for the "
                        + (run > gapLength ? "longest" : "first longest") + " run of 0 fields");
            }
            i = j;
        }
        return broken;
    }
}
