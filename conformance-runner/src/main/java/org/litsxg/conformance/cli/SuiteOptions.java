package org.litsxg.conformance.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.litsxg.conformance.support.ClauseCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of a run of the features that {@code litsxg conformance} and its
 * {@code verify-upgrade} share (a picocli mixin): which scenarios, and how patient to be.
 */
final class SuiteOptions {

    @Option(names = "--clause", paramLabel = "ID", split = ",",
            description = "Run only these clauses (AUTH-3) or areas (AUTH); repeatable or comma-separated.")
    List<String> clauses = new ArrayList<>();

    @Option(names = "--tags", paramLabel = "EXPR", description = "Cucumber tag expression to select scenarios, e.g. '@must and not @PROC-12'.")
    String tags;

    @Option(names = "--timescale", paramLabel = "X", description = "Multiply every wait by X for a slow build or machine (default: ${DEFAULT-VALUE}).")
    double timescale = 1.0;

    @Option(names = "--startup-timeout", paramLabel = "SECONDS", description = "How long a start may take before it counts as failed (default: ${DEFAULT-VALUE}).")
    int startupTimeout = 30;

    @Option(names = "--parallel", paramLabel = "N", description = "Scenarios run at once (default: ${DEFAULT-VALUE}).")
    int parallel = 3;

    /** Rejects values that make no sense, as a usage error of {@code cl}. */
    void check(CommandLine cl) {
        if (timescale <= 0 || startupTimeout < 1 || parallel < 1) {
            throw new ParameterException(cl, "--timescale must be > 0, --startup-timeout >= 1, --parallel >= 1");
        }
    }

    /** The start-up timeout, scaled. */
    Duration startup() {
        return Duration.ofMillis((long) (startupTimeout * 1000 * timescale));
    }

    /**
     * The tag expression for the {@code --clause} values (clause ids or areas) and the
     * {@code --tags} expression, or null for everything; an unknown id or area is a usage error of {@code cl}.
     */
    String selection(ClauseCatalog catalog, CommandLine cl) {
        List<String> parts = new ArrayList<>();
        if (!clauses.isEmpty()) {
            List<String> ids = new ArrayList<>();
            for (String c : clauses) {
                String id = c.trim().toUpperCase(Locale.ROOT);
                if (catalog.get(id).isPresent()) {
                    ids.add("@" + id);
                    continue;
                }
                List<String> area = catalog.all().stream().filter(x -> x.area().equals(id)).map(x -> "@" + x.id()).toList();
                if (area.isEmpty()) {
                    throw new ParameterException(cl, "--clause: '" + c + "' is neither a clause id nor an area of the spec");
                }
                ids.addAll(area);
            }
            parts.add("(" + String.join(" or ", ids) + ")");
        }
        if (tags != null && !tags.isBlank()) {
            parts.add("(" + tags + ")");
        }
        return parts.isEmpty() ? null : String.join(" and ", parts);
    }
}
