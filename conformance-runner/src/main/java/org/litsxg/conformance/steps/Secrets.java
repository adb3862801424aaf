package org.litsxg.conformance.steps;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.litsxg.conformance.support.Escapes;

/**
 * The secrets and message texts one scenario used (for the checks that no log line or file
 * holds them), and the feature's text made into bytes: {@code <secret of alice>} substituted,
 * escapes decoded, names renamed for a server elsewhere. One per scenario, injected by
 * cucumber-picocontainer.
 */
public final class Secrets {

    private static final Pattern SECRET_OF = Pattern.compile("<secret of ([a-z0-9_-]+)>");

    private final ScenarioContext ctx;
    /**
     * Eight random letters and digits, part of every secret the kit makes up, so that a file in a
     * directory shared with other scenarios and programs ({@code /tmp}) can be told to hold this
     * scenario's secrets and not another's.
     */
    private final String token = randomToken();
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final Set<String> secretsSeenOnWire = new LinkedHashSet<>();
    private final List<String> messageTexts = new ArrayList<>();
    private final Map<String, Integer> messageNumbers = new LinkedHashMap<>();

    public Secrets(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    /** The scenario's random token (see {@link #secret(String)}). */
    public String token() {
        return token;
    }

    /** The secret the kit uses for {@code name}: fixed per name, 8 to 128 bytes, no spaces. */
    public String secret(String name) {
        return secrets.computeIfAbsent(name, n -> "pw-" + n + "-" + token);
    }

    /** Overrides the secret the kit uses for {@code name}. */
    public void secret(String name, String secret) {
        secrets.put(name, secret);
    }

    /** Every secret the scenario used: the kit's own, and any in an AUTH line a client sent. */
    public Map<String, String> secrets() {
        Map<String, String> all = new LinkedHashMap<>(secrets);
        int i = 0;
        for (String s : secretsSeenOnWire) {
            all.putIfAbsent("(sent on the wire " + (++i) + ")", s);
        }
        return Map.copyOf(all);
    }

    /** Remembers the secret of every AUTH line sent (8 bytes or more), for the log and disk checks. */
    void noteSecrets(byte[] bytes) {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String[] t = line.replace("\r", "").split(" ");
            if (t.length >= 3 && t[0].equals("AUTH") && t[2].getBytes(StandardCharsets.UTF_8).length >= 8) {
                secretsSeenOnWire.add(t[2]);
            }
        }
    }

    /**
     * The bytes of a line as a feature writes it: {@code <secret of alice>} becomes alice's
     * secret, then {@link Escapes} applies.
     */
    public byte[] bytes(String featureText) {
        Matcher m = SECRET_OF.matcher(featureText);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(secret(m.group(1))));
        }
        m.appendTail(out);
        byte[] b = Escapes.decode(out.toString());
        if (!ctx.aliases().active()) {
            return b;
        }
        // External mode: rename before any step splits the bytes into several writes.
        byte[] line = Arrays.copyOf(b, b.length + 1);
        line[b.length] = '\n';
        byte[] renamed = ctx.aliases().outgoing(line, true);
        return Arrays.copyOf(renamed, renamed.length - 1);
    }

    /** {@link #bytes} as a string (for text that stays valid UTF-8). */
    public String text(String featureText) {
        return new String(bytes(featureText), StandardCharsets.UTF_8);
    }

    /**
     * The text of the next numbered message from {@code from} to {@code to}:
     * {@code message <n> from <from>}, counting per sender and recipient from 1.
     */
    public String nextNumberedText(String from, String to) {
        int n = messageNumbers.merge(from + ">" + to, 1, Integer::sum);
        String text = "message " + n + " from " + from;
        sentText(text);
        return text;
    }

    /** Remembers a message text the scenario sent, for the disk and log checks. */
    public void sentText(String text) {
        messageTexts.add(text);
    }

    public List<String> messageTexts() {
        return List.copyOf(messageTexts);
    }

    private static String randomToken() {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder("K7");
        for (int i = 0; i < 8; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
