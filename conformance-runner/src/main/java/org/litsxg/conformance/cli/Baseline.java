package org.litsxg.conformance.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * An expected-failures baseline: one clause id a line, optionally followed by a reason;
 * {@code #} starts a comment. A listed clause that fails does not fail the run; a listed clause
 * that now passes does (the entry is stale and must be removed), as in the MCP conformance kit.
 * {@link org.litsxg.conformance.report.Verdict} judges a report against {@link #ids()}.
 */
public final class Baseline {
    private final Map<String, String> entries;

    private Baseline(Map<String, String> entries) {
        this.entries = entries;
    }

    public static Baseline empty() {
        return new Baseline(Map.of());
    }

    /** Reads {@code file}; throws {@link IllegalArgumentException} naming the bad line. */
    public static Baseline read(Path file, ClauseCatalog catalog) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (body.isEmpty()) {
                continue;
            }
            String[] parts = body.split("\\s+", 2);
            if (catalog.get(parts[0]).isEmpty()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": '" + parts[0] + "' is not a clause id of the spec");
            }
            entries.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        return new Baseline(entries);
    }

    public Set<String> ids() {
        return entries.keySet();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
