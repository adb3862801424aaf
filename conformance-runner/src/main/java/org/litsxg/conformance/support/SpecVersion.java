package org.litsxg.conformance.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of the bundled spec, as reports print it. One place to rewire when the spec
 * states its version another way.
 */
public final class SpecVersion {

    /** What reports print when the spec states no version. */
    public static final String UNVERSIONED = "unversioned";

    /** A header line such as {@code Version: 1.1}, {@code **Version 1.1**} or {@code Spec version 1.1}. */
    private static final Pattern HEADER = Pattern.compile("(?i)^[\\W_]*(?:spec(?:ification)?\\s+)?version\\W*\\s*([0-9][0-9A-Za-z.+-]*)");

    private SpecVersion() {
    }

    /**
     * The bundled spec's version: {@code spec/VERSION} on the class path (its first line), else
     * a version line in the header of {@code spec/litsxg.md} (before its first {@code ##}
     * section), else {@value #UNVERSIONED}. Reads class-path resources; does not block otherwise.
     */
    public static String bundled() {
        String file = resource("spec/VERSION");
        if (file != null && !file.isBlank()) {
            return file.strip().lines().findFirst().orElse(UNVERSIONED).strip();
        }
        String spec = resource("spec/litsxg.md");
        return spec == null ? UNVERSIONED : fromHeader(spec);
    }

    /** The version a spec text's header states, or {@value #UNVERSIONED}. */
    static String fromHeader(String markdown) {
        for (String line : markdown.lines().toList()) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher m = HEADER.matcher(line);
            if (m.find()) {
                String v = m.group(1);
                return v.endsWith(".") ? v.substring(0, v.length() - 1) : v;
            }
        }
        return UNVERSIONED;
    }

    private static String resource(String name) {
        try (InputStream in = SpecVersion.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
