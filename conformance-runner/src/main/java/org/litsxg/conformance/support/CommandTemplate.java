package org.litsxg.conformance.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line that starts a build under test, with placeholders the kit fills in per
 * scenario: {@code {port}}, {@code {bind}}, {@code {data_dir}}, {@code {max_queued}},
 * {@code {max_connections}}, {@code {auth_timeout}}, {@code {max_pending_bytes}},
 * {@code {log_level}}.
 *
 * <p>The template is split into an argument vector the way a POSIX shell splits words
 * (single quotes, double quotes and backslash escapes), but no shell ever runs: there is no
 * expansion, no redirection, no pipes. Use {@code env NAME=value program ...} to set an
 * environment variable. Placeholders are replaced inside each word after splitting, so a
 * substituted path with spaces stays one argument.
 *
 * <p>Immutable and thread-safe.
 */
public final class CommandTemplate {

    /** Every placeholder the kit knows how to fill. */
    public static final Set<String> KNOWN_PLACEHOLDERS = Set.of(
            "port", "bind", "data_dir", "max_queued", "max_connections", "auth_timeout",
            "max_pending_bytes", "log_level");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    private final String source;
    private final List<String> words;
    private final Set<String> placeholders;

    private CommandTemplate(String source, List<String> words) {
        this.source = source;
        this.words = List.copyOf(words);
        Set<String> found = new LinkedHashSet<>();
        for (String word : words) {
            Matcher m = PLACEHOLDER.matcher(word);
            while (m.find()) {
                if (!KNOWN_PLACEHOLDERS.contains(m.group(1))) {
                    throw new IllegalArgumentException("unknown placeholder {" + m.group(1)
                            + "} in server command template: " + source
                            + " (known: " + KNOWN_PLACEHOLDERS + ")");
                }
                found.add(m.group(1));
            }
        }
        this.placeholders = Collections.unmodifiableSet(found);
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException on an unterminated quote, an empty template or an
     *     unknown placeholder
     */
    public static CommandTemplate parse(String template) {
        List<String> words = split(template);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("empty server command template");
        }
        return new CommandTemplate(template, words);
    }

    /** The template text as given. */
    public String source() {
        return source;
    }

    /** The placeholders this template uses, in order of first use. */
    public Set<String> placeholders() {
        return placeholders;
    }

    /** Whether the template lets the kit set this placeholder. */
    public boolean has(String placeholder) {
        return placeholders.contains(placeholder);
    }

    /**
     * The argument vector with every placeholder replaced.
     *
     * @throws IllegalArgumentException when a used placeholder has no value
     */
    public List<String> render(Map<String, String> values) {
        List<String> argv = new ArrayList<>(words.size());
        for (String word : words) {
            Matcher m = PLACEHOLDER.matcher(word);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = values.get(m.group(1));
                if (value == null) {
                    throw new IllegalArgumentException("no value for placeholder {" + m.group(1) + "}");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            argv.add(out.toString());
        }
        return argv;
    }

    /**
     * This template without the flag that carries {@code placeholder}: the pair
     * {@code --flag {placeholder}} or the single word {@code --flag={placeholder}}. Empty when
     * the template has no such flag (the kit then cannot start the build "without" it).
     */
    public java.util.Optional<CommandTemplate> without(String placeholder) {
        String ph = "{" + placeholder + "}";
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            List<String> rest = new ArrayList<>(words);
            if (w.equals(ph) && i > 0 && words.get(i - 1).startsWith("-")) {
                rest.remove(i);
                rest.remove(i - 1);
            } else if (w.startsWith("-") && w.endsWith("=" + ph)) {
                rest.remove(i);
            } else {
                continue;
            }
            return java.util.Optional.of(new CommandTemplate(source + " (without " + ph + ")", rest));
        }
        return java.util.Optional.empty();
    }

    /**
     * The flag that carries {@code placeholder} in this template ({@code --port} for
     * {@code --port {port}} or {@code --port={port}}), or empty when the template has none.
     */
    public java.util.Optional<String> flagOf(String placeholder) {
        String ph = "{" + placeholder + "}";
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals(ph) && i > 0 && words.get(i - 1).startsWith("-")) {
                return java.util.Optional.of(words.get(i - 1));
            }
            if (w.startsWith("-") && w.endsWith("=" + ph)) {
                return java.util.Optional.of(w.substring(0, w.length() - ph.length() - 1));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * This template with the flag that carries {@code placeholder} written as one word,
     * {@code --flag={placeholder}} (spec PROC-19), or empty when the template has no such flag.
     */
    public java.util.Optional<CommandTemplate> joined(String placeholder) {
        String ph = "{" + placeholder + "}";
        for (int i = 1; i < words.size(); i++) {
            if (words.get(i).equals(ph) && words.get(i - 1).startsWith("-")) {
                List<String> rest = new ArrayList<>(words);
                rest.set(i - 1, words.get(i - 1) + "=" + ph);
                rest.remove(i);
                return java.util.Optional.of(new CommandTemplate(source + " (" + words.get(i - 1) + "=" + ph + ")", rest));
            }
            if (words.get(i).startsWith("-") && words.get(i).endsWith("=" + ph)) {
                return java.util.Optional.of(this);
            }
        }
        return java.util.Optional.empty();
    }

    /** Splits a command line into words, POSIX-shell style, without any expansion. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated single quote in: " + line);
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = line.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        word.append(line.charAt(i + 1));
                        i += 2;
                    } else {
                        word.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated double quote in: " + line);
                }
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 < n) {
                    word.append(line.charAt(i + 1));
                }
                inWord = true;
                i += 2;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    @Override
    public String toString() {
        return source;
    }
}
