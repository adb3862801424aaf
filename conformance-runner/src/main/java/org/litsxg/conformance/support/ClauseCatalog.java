package org.litsxg.conformance.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The numbered clauses of spec/litsxg.md, read from {@code spec/clauses.tsv} (bundled as the
 * class-path resource {@code spec/clauses.tsv}). Columns: id, level, area, summary, source,
 * untestable (empty when the clause is testable, else the reason it is not), binds
 * ({@code server}, {@code operator} or {@code release}; {@code server} when the column is
 * missing). The spec's version comes from the resource {@code spec/VERSION}.
 *
 * <p>Immutable.
 */
public final class ClauseCatalog {

    /** The resource the catalogue is bundled as. */
    public static final String RESOURCE = "spec/clauses.tsv";

    /** What a clause tag looks like, without its {@code @}: an area and a number. */
    public static final Pattern CLAUSE_ID = Pattern.compile("[A-Z]+-[0-9]+");

    /** The resource holding the spec's version. */
    public static final String VERSION_RESOURCE = "spec/VERSION";

    /** Whom a clause binds: the build, the operator who runs it, or whoever releases builds. */
    public static final String SERVER = "server";
    public static final String OPERATOR = "operator";
    public static final String RELEASE = "release";
    public static final java.util.Set<String> BINDS = java.util.Set.of(SERVER, OPERATOR, RELEASE);

    /**
     * One clause. {@code level} is lower case, as in clauses.tsv (must, must not, should, may,
     * implementation-dependent, withdrawn); {@code binds} is server, operator or release.
     */
    public record Clause(String id, String level, String area, String summary, String source,
            String untestable, String binds) {

        public Clause(String id, String level, String area, String summary, String source, String untestable) {
            this(id, level, area, summary, source, untestable, SERVER);
        }

        public boolean testable() {
            return (untestable == null || untestable.isBlank()) && !withdrawn();
        }

        /** Retired from the spec: not reported, not to be tagged. */
        public boolean withdrawn() {
            return level.equals("withdrawn");
        }

        /** Whether the clause binds the build (not an operator duty or a release obligation). */
        public boolean bindsServer() {
            return SERVER.equals(binds);
        }

        /** An untestable release obligation that {@code verify-upgrade} checks between two builds. */
        public boolean checkedByVerifyUpgrade() {
            return untestable != null && untestable.contains("verify-upgrade");
        }
    }

    private final Map<String, Clause> clauses;
    private final Map<String, String> fullText;

    private ClauseCatalog(Map<String, Clause> clauses, Map<String, String> fullText) {
        this.clauses = Collections.unmodifiableMap(clauses);
        this.fullText = Map.copyOf(fullText);
    }

    /**
     * The bundled catalogue, or an empty one if it is missing from the class path. Read once per
     * kit JVM (every scenario asks for it); a catalogue never changes after it is read.
     */
    public static ClauseCatalog bundled() {
        return Bundled.CATALOG;
    }

    private static final class Bundled {
        static final ClauseCatalog CATALOG = readBundled();
        static final String VERSION = readVersion();
    }

    private static ClauseCatalog readBundled() {
        try (InputStream in = ClauseCatalog.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new ClauseCatalog(Map.of(), Map.of());
            }
            return read(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The catalogue in a file. */
    public static ClauseCatalog load(Path tsv) throws IOException {
        try (Reader r = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            return read(r);
        }
    }

    /** Parses TSV text; a first line starting with {@code id} is a header. */
    public static ClauseCatalog read(Reader reader) throws IOException {
        Map<String, Clause> out = new LinkedHashMap<>();
        BufferedReader r = new BufferedReader(reader);
        String line;
        int number = 0;
        while ((line = r.readLine()) != null) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (number == 1 && f[0].trim().equalsIgnoreCase("id")) {
                continue;
            }
            if (f.length < 4) {
                throw new IOException(RESOURCE + " line " + number + ": expected at least 4 tab-separated"
                        + " columns (id, level, area, summary, source, untestable), got " + f.length);
            }
            String id = f[0].trim();
            if (!CLAUSE_ID.matcher(id).matches()) {
                throw new IOException(RESOURCE + " line " + number + ": not a clause id: " + id);
            }
            String binds = f.length > 6 && !f[6].isBlank() ? f[6].trim() : SERVER;
            if (!BINDS.contains(binds)) {
                throw new IOException(RESOURCE + " line " + number + ": binds is " + binds + ", not one of " + BINDS);
            }
            Clause c = new Clause(id, f[1].trim().toLowerCase(java.util.Locale.ROOT), f[2].trim(),
                    f[3].trim(), f.length > 4 ? f[4].trim() : "", f.length > 5 ? f[5].trim() : "", binds);
            if (out.put(id, c) != null) {
                throw new IOException(RESOURCE + " line " + number + ": duplicate clause id " + id);
            }
        }
        return new ClauseCatalog(out, readFullText());
    }

    public Optional<Clause> get(String id) {
        return Optional.ofNullable(clauses.get(id));
    }

    public Collection<Clause> all() {
        return clauses.values();
    }

    public boolean isEmpty() {
        return clauses.isEmpty();
    }

    /** The clause's quoted requirement for a failure message, or a note that it is unknown. */
    public String quote(String id) {
        return get(id).map(c -> id + " (" + c.level().toUpperCase(java.util.Locale.ROOT) + "): \""
                + fullText.getOrDefault(id, c.summary()) + "\"").orElse(id + ": (not in " + RESOURCE + ")");
    }

    /** The clause's text as spec/litsxg.md states it, or its summary when that is not bundled. */
    public String text(String id) {
        return fullText.getOrDefault(id, get(id).map(Clause::summary).orElse(""));
    }

    /**
     * The spec's version as {@code spec/VERSION} states it (for example {@code 1.1}), or
     * {@code "unknown"} when that resource is not bundled.
     */
    public static String version() {
        return Bundled.VERSION;
    }

    private static String readVersion() {
        try (InputStream in = ClauseCatalog.class.getClassLoader().getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            String v = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return v.isEmpty() ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The resource holding the clauses' full text. */
    public static final String SPEC = "spec/litsxg.md";

    private static final Pattern CLAUSE_LINE = Pattern.compile(
            "^- \\*\\*([A-Z]+-[0-9]+)\\*\\* \\(([A-Z -]+)\\) (.*?) — source:", Pattern.MULTILINE | Pattern.DOTALL);

    /** Each clause's text as spec/litsxg.md states it, when that file is bundled. */
    private static Map<String, String> readFullText() {
        try (InputStream in = ClauseCatalog.class.getClassLoader().getResourceAsStream(SPEC)) {
            if (in == null) {
                return Map.of();
            }
            String md = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> out = new java.util.HashMap<>();
            java.util.regex.Matcher m = CLAUSE_LINE.matcher(md);
            while (m.find()) {
                out.put(m.group(1), m.group(3).replaceAll("\\s+", " ").trim());
            }
            return Map.copyOf(out);
        } catch (IOException e) {
            return Map.of();
        }
    }
}
