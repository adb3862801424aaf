package org.litsxg.conformance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.litsxg.conformance.report.Json;
import org.litsxg.conformance.support.ClauseCatalog;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.upgrade.BehaviourDiff;
import org.litsxg.conformance.upgrade.PolicyVerdict;
import org.litsxg.conformance.upgrade.SuiteRun;
import org.litsxg.conformance.upgrade.UpgradeHtml;
import org.litsxg.conformance.upgrade.UpgradeInPlace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg conformance verify-upgrade --from OLD --to NEW}: whether replacing the OLD build
 * by NEW is an upgrade the policy (seed 000) permits. Three parts: the upgrade in place
 * ({@link UpgradeInPlace}), the rollback (reported only), and the behaviour diff of the
 * features run against both builds ({@link BehaviourDiff}). Exit 0 permitted, 1 not permitted,
 * 2 usage error or a build that cannot start.
 */
@Command(name = "verify-upgrade", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        description = {"Prove that a candidate build is an upgrade the policy permits: nothing but fixes.",
            "1. Upgrade in place: the old build registers identities and queues messages; the candidate, started on the same data directory, must serve every identity, lose the queue, change no schema, user_version or row, and write no message or secret in clear.",
            "2. Rollback: the old build started again on that directory; reported, never judged.",
            "3. Behaviour diff: the features run against both builds, compared scenario by scenario (outcome and normalised wire transcript): unchanged, fixed, regressed, drift, extension."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:permitted (nothing but fixes)", "1:NOT PERMITTED (regression, extension, migration, lost identities, ...)",
            "2:usage error, or either build cannot be started at all"})
public final class VerifyUpgradeCommand implements Callable<Integer> {
    static final int PERMITTED = 0;
    static final int NOT_PERMITTED = 1;
    static final int USAGE = 2;
    private static final String NAME = "litsxg conformance verify-upgrade";

    @Spec
    private CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "TEMPLATE", description = "Command template of the build in service (the old one).")
    private String from;

    @Option(names = "--to", required = true, paramLabel = "TEMPLATE", description = "Command template of the candidate build.")
    private String to;

    @CommandLine.Mixin
    private SuiteOptions suite = new SuiteOptions();

    @Option(names = "--report", paramLabel = "DIR",
            description = "Write reports here: report.html (the diff), index.json, and from/ and to/ (outcomes.json, transcripts.json, junit.xml, messages.ndjson).")
    private Path reportDir;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CommandTemplate old = parse("--from", from);
        CommandTemplate neu = parse("--to", to);
        suite.check(spec.commandLine());
        String selection = suite.selection(ClauseCatalog.bundled(), spec.commandLine());
        Duration startup = suite.startup();
        for (String[] side : List.of(new String[] {"--from", from}, new String[] {"--to", to})) {
            Optional<String> cannot = Preflight.check(CommandTemplate.parse(side[1]), startup);
            if (cannot.isPresent()) {
                err.println(NAME + ": the " + side[0] + " build cannot be started: " + cannot.get());
                err.flush();
                return USAGE;
            }
        }
        BuildIdentity idFrom = BuildIdentity.of(from, old.render(placeholderNames()));
        BuildIdentity idTo = BuildIdentity.of(to, neu.render(placeholderNames()));
        Path outDir = reportDir != null ? Files.createDirectories(reportDir) : Files.createTempDirectory("litsxg-verify-upgrade");
        out.println(NAME);
        out.println("  from: " + from);
        out.println("  to:   " + to);
        out.flush();
        long t0 = System.nanoTime();

        Path scratch = Files.createTempDirectory("litsxg-upgrade-in-place");
        UpgradeInPlace.Result upgrade;
        try {
            upgrade = new UpgradeInPlace(old, neu, scratch, startup, suite.timescale).run();
        } catch (UpgradeInPlace.SetupFailure e) {
            err.println(NAME + ": " + e.getMessage());
            err.flush();
            return USAGE;
        } finally {
            deleteTree(scratch);
        }
        out.println();
        out.println("upgrade in place: " + upgrade.identities() + " identities registered and " + upgrade.queued()
                + " messages queued on the old build, then stop, candidate started on the same data directory");
        for (UpgradeInPlace.Check c : upgrade.checks()) {
            out.println("  " + (c.passed() ? "ok      " : "FAILED  ") + c.what()
                    + (c.passed() ? "" : ": " + c.reason().label() + ": " + c.detail()));
        }
        out.println("rollback (reported, not judged): " + upgrade.rollback());
        out.flush();

        String fpFrom = fingerprint(idFrom);
        String fpTo = fingerprint(idTo);
        SuiteRun.Request requestFrom = new SuiteRun.Request("from", from, fpFrom, selection, null, suite.timescale,
                suite.startupTimeout, suite.parallel);
        SuiteRun runFrom = SuiteRun.run(requestFrom, outDir.resolve("from"));
        out.println();
        out.println("behaviour of the old build: " + runLine(runFrom));
        out.flush();
        SuiteRun.Request requestTo = new SuiteRun.Request("to", to, fpTo + " after " + fpFrom, selection, from, suite.timescale,
                suite.startupTimeout, suite.parallel);
        SuiteRun runTo = SuiteRun.run(requestTo, outDir.resolve("to"));
        out.println("behaviour of the candidate: " + runLine(runTo) + " (upgrade scenarios start from the old build)");
        BehaviourDiff.Result diff = BehaviourDiff.compare(runFrom, runTo);
        List<String> changed = BehaviourDiff.outcomeChanges(diff);
        if (!changed.isEmpty()) {
            // A scenario whose outcome depends on timing would give a false fix or a false
            // regression: each outcome change counts only if both builds repeat it.
            out.println("re-running the " + changed.size() + " scenarios whose outcome changed, on both builds, to confirm");
            out.flush();
            SuiteRun againFrom = SuiteRun.run(requestFrom.only("from-confirm", changed), outDir.resolve("from-confirm"));
            SuiteRun againTo = SuiteRun.run(requestTo.only("to-confirm", changed), outDir.resolve("to-confirm"));
            diff = BehaviourDiff.confirm(diff, againFrom, againTo);
        }
        for (BehaviourDiff.Scenario s : diff.scenarios()) {
            if (s.kind() != BehaviourDiff.Kind.UNCHANGED) {
                out.printf(Locale.ROOT, "  %-10s %-22s %s  %s: %s%n", s.kind().label().toUpperCase(Locale.ROOT),
                        String.join(",", s.clauses()), s.location(), s.name(), s.detail());
            }
        }
        PolicyVerdict verdict = PolicyVerdict.of(upgrade, diff);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String summary = summaryLine(verdict, upgrade, diff, seconds);
        out.println();
        out.println(summary);
        verdict.reasons().forEach(r -> out.println("  - " + r));
        writeReports(outDir, summary, verdict, idFrom, idTo, runFrom, runTo, upgrade, diff);
        if (reportDir != null) {
            out.println("reports: " + outDir.toAbsolutePath().resolve("report.html"));
        }
        out.flush();
        return verdict.permitted() ? PERMITTED : NOT_PERMITTED;
    }

    private static String summaryLine(PolicyVerdict v, UpgradeInPlace.Result upgrade, BehaviourDiff.Result diff, double s) {
        StringBuilder b = new StringBuilder(v.label()).append(": ").append(diff.scenarios().size())
                .append(" scenarios compared, ");
        List<String> bits = new ArrayList<>();
        for (BehaviourDiff.Kind k : BehaviourDiff.Kind.values()) {
            if ((k != BehaviourDiff.Kind.UNMATCHED && k != BehaviourDiff.Kind.UNSTABLE) || diff.count(k) > 0) {
                bits.add(diff.count(k) + " " + k.label());
            }
        }
        b.append(String.join(", ", bits));
        b.append("; upgrade in place ").append(upgrade.passed() ? "preserves identities, no migration"
                : upgrade.failures().size() + " checks failed");
        if (!v.permitted()) {
            b.append(" [").append(String.join(", ", v.kinds())).append(']');
        }
        b.append(String.format(Locale.ROOT, " (%.1f s)", s));
        return b.toString();
    }

    private static String runLine(SuiteRun r) {
        long pass = r.report().scenarios().stream().filter(x -> x.status().equals("PASSED")).count();
        return r.report().scenarios().size() + " scenarios, " + pass + " passed"
                + String.format(Locale.ROOT, " (%.1f s%s)", r.seconds(), r.reused() ? ", reused from an earlier run in this JVM" : "");
    }

    private void writeReports(Path dir, String summary, PolicyVerdict verdict, BuildIdentity idFrom, BuildIdentity idTo,
            SuiteRun runFrom, SuiteRun runTo, UpgradeInPlace.Result upgrade, BehaviourDiff.Result diff) throws IOException {
        UpgradeHtml.write(dir.resolve("report.html"), summary, verdict,
                new UpgradeHtml.Side("from", idFrom.toMap(), runFrom), new UpgradeHtml.Side("to", idTo.toMap(), runTo),
                upgrade, diff);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("summary", summary);
        index.put("verdict", verdict.label());
        index.put("reasons", verdict.reasons());
        index.put("from", idFrom.toMap());
        index.put("to", idTo.toMap());
        List<Object> checks = new ArrayList<>();
        for (UpgradeInPlace.Check c : upgrade.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("check", c.what());
            m.put("passed", c.passed());
            if (!c.passed()) {
                m.put("reason", c.reason().label());
                m.put("detail", c.detail());
            }
            checks.add(m);
        }
        index.put("upgrade_in_place", checks);
        index.put("rollback", upgrade.rollback());
        List<Object> scenarios = new ArrayList<>();
        for (BehaviourDiff.Scenario s : diff.scenarios()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("location", s.location());
            m.put("name", s.name());
            m.put("clauses", s.clauses());
            m.put("kind", s.kind().label());
            m.put("from", s.from() == null ? null : s.from().label());
            m.put("to", s.to() == null ? null : s.to().label());
            if (!s.detail().isEmpty()) {
                m.put("detail", s.detail());
            }
            scenarios.add(m);
        }
        index.put("behaviour_diff", scenarios);
        index.put("extensions", diff.extensions());
        index.put("files", List.of("report.html", "from/outcomes.json", "from/transcripts.json", "from/junit.xml",
                "from/messages.ndjson", "to/outcomes.json", "to/transcripts.json", "to/junit.xml", "to/messages.ndjson"));
        Files.writeString(dir.resolve("index.json"), Json.write(index));
    }

    private CommandTemplate parse(String option, String template) {
        try {
            CommandTemplate t = CommandTemplate.parse(template);
            if (!t.has("port") || !t.has("data_dir")) {
                throw new ParameterException(spec.commandLine(), option + ": the template must contain {port} and {data_dir}");
            }
            return t;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    private static String fingerprint(BuildIdentity id) {
        return id.sha256().toString();
    }

    private static Map<String, String> placeholderNames() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : CommandTemplate.KNOWN_PLACEHOLDERS) {
            m.put(p, "{" + p + "}");
        }
        return m;
    }

    private static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
