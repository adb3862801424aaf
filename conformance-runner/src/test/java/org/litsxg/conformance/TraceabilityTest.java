package org.litsxg.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.litsxg.conformance.report.ScenarioResult;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * Ties spec/clauses.tsv to the features, both as bundled on the class path: every clause is
 * checked by at least one scenario or says why it cannot be; every clause tag names a real
 * clause; every Rule is one clause, and its scenarios carry that clause's tag and level.
 */
class TraceabilityTest {

    private static final Pattern TAG = Pattern.compile("@([A-Za-z][A-Za-z0-9_-]*)");
    private static final Pattern RULE = Pattern.compile("^\\s*Rule:\\s*([A-Z]+-[0-9]+)\\b.*");

    /** One scenario as read from a feature file. */
    record Scenario(String file, int line, String rule, List<String> tags) {
    }

    private static ClauseCatalog catalog;
    private static List<Scenario> scenarios;
    private static Map<String, List<String>> rules;
    private static Map<String, String> quotes;

    @BeforeAll
    static void read() throws IOException, URISyntaxException {
        catalog = ClauseCatalog.bundled();
        scenarios = new ArrayList<>();
        rules = new LinkedHashMap<>();
        quotes = new LinkedHashMap<>();
        Path dir = Path.of(TraceabilityTest.class.getClassLoader().getResource("features").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".feature")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no feature files bundled under features/");
        for (Path f : files) {
            String rule = null;
            List<String> pending = new ArrayList<>();
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                Matcher r = RULE.matcher(lines.get(i));
                if (r.matches()) {
                    rule = r.group(1);
                    rules.computeIfAbsent(rule, k -> new ArrayList<>()).add(f.getFileName() + ":" + (i + 1));
                    StringBuilder quote = new StringBuilder();
                    for (int j = i + 1; j < lines.size() && !lines.get(j).isBlank(); j++) {
                        quote.append(quote.length() == 0 ? "" : " ").append(lines.get(j).trim());
                    }
                    quotes.put(rule, quote.toString());
                } else if (line.startsWith("@")) {
                    Matcher t = TAG.matcher(line);
                    while (t.find()) {
                        pending.add(t.group(1));
                    }
                } else if (line.startsWith("Scenario:") || line.startsWith("Scenario Outline:")
                        || line.startsWith("Example:") || line.startsWith("Scenario Template:")) {
                    scenarios.add(new Scenario(f.getFileName().toString(), i + 1, rule, List.copyOf(pending)));
                    pending.clear();
                } else if (!line.isEmpty() && !line.startsWith("#")) {
                    pending.clear();
                }
            }
        }
    }

    private static Set<String> clauseTags(Scenario s) {
        Set<String> out = new LinkedHashSet<>();
        for (String t : s.tags()) {
            if (ClauseCatalog.CLAUSE_ID.matcher(t).matches()) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void everyClauseIsCoveredOrSaysWhyItCannotBe() {
        assertFalse(catalog.isEmpty(), "spec/clauses.tsv is not bundled");
        Set<String> covered = new TreeSet<>();
        scenarios.forEach(s -> covered.addAll(clauseTags(s)));
        List<String> gaps = new ArrayList<>();
        int testable = 0;
        for (ClauseCatalog.Clause c : catalog.all()) {
            if (c.testable()) {
                testable++;
                if (!covered.contains(c.id())) {
                    gaps.add(c.id() + " " + c.summary());
                }
            }
        }
        long withdrawn = catalog.all().stream().filter(ClauseCatalog.Clause::withdrawn).count();
        long operator = catalog.all().stream().filter(c -> c.binds().equals(ClauseCatalog.OPERATOR)).count();
        long release = catalog.all().stream().filter(c -> c.binds().equals(ClauseCatalog.RELEASE)).count();
        long untestable = catalog.all().size() - testable - withdrawn - operator - release;
        System.out.printf("traceability (spec %s): %d/%d testable clauses covered by %d scenarios; %d untestable"
                + " server clauses, %d operator duties and %d release obligations, each with a reason; %d withdrawn;"
                + " %d clauses in all%n", ClauseCatalog.version(), testable - gaps.size(), testable, scenarios.size(),
                untestable, operator, release, withdrawn, catalog.all().size());
        assertTrue(gaps.isEmpty(), "testable clauses no scenario checks: " + gaps);
    }

    @Test
    void everyClauseTagNamesAClause() {
        List<String> unknown = new ArrayList<>();
        for (Scenario s : scenarios) {
            for (String id : clauseTags(s)) {
                if (catalog.get(id).isEmpty()) {
                    unknown.add(s.file() + ":" + s.line() + " @" + id);
                }
            }
        }
        for (Scenario s : scenarios) {
            for (String id : clauseTags(s)) {
                catalog.get(id).filter(ClauseCatalog.Clause::withdrawn).ifPresent(c ->
                        unknown.add(s.file() + ":" + s.line() + " @" + id + " (withdrawn: " + c.untestable() + ")"));
            }
        }
        for (String rule : rules.keySet()) {
            if (catalog.get(rule).isEmpty() || catalog.get(rule).get().withdrawn()) {
                unknown.add("Rule: " + rule + " at " + rules.get(rule));
            }
        }
        assertTrue(unknown.isEmpty(), "tags and rules naming no clause of spec/clauses.tsv: " + unknown);
    }

    @Test
    void everyRuleQuotesItsClauseAsTheSpecStatesIt() {
        List<String> stale = new ArrayList<>();
        quotes.forEach((id, quote) -> {
            String expected = "\"" + catalog.text(id) + "\"";
            if (!quote.equals(expected)) {
                stale.add(id + ": the Rule quotes " + quote + " but spec/litsxg.md says " + expected);
            }
        });
        assertTrue(stale.isEmpty(), "run conformance-runner/tools/sync-rules.py from the repository root:\n"
                + String.join("\n", stale));
    }

    private static final Pattern MD_CLAUSE = Pattern.compile(
            "^- \\*\\*([A-Z]+-[0-9]+)\\*\\* \\(([A-Z -]+)\\) (\\[(operator|release)\\] )?", Pattern.MULTILINE);
    private static final Pattern MD_VERSION = Pattern.compile("^\\*\\*Version ([0-9][0-9.]*)\\*\\*", Pattern.MULTILINE);

    private static String resource(String name) throws IOException {
        try (var in = TraceabilityTest.class.getClassLoader().getResourceAsStream(name)) {
            assertTrue(in != null, name + " is not bundled");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** litsxg.md and clauses.tsv list the same ids, in the same order, with the same levels and markers. */
    @Test
    void theSpecAndItsIndexAgree() throws IOException {
        String md = resource(ClauseCatalog.SPEC);
        List<String> inMd = new ArrayList<>();
        Matcher m = MD_CLAUSE.matcher(md);
        while (m.find()) {
            inMd.add(m.group(1) + " " + m.group(2).toLowerCase(Locale.ROOT) + " "
                    + (m.group(4) == null ? ClauseCatalog.SERVER : m.group(4)));
        }
        List<String> inTsv = catalog.all().stream().map(c -> c.id() + " " + c.level() + " " + c.binds()).toList();
        assertEquals(inMd, inTsv, "spec/litsxg.md and spec/clauses.tsv differ in ids, order, levels or binds");
        List<String> problems = new ArrayList<>();
        for (String line : resource(ClauseCatalog.RESOURCE).lines().toList()) {
            if (!line.isBlank() && line.split("\t", -1).length != 7) {
                problems.add("not seven fields: " + line);
            }
        }
        for (ClauseCatalog.Clause c : catalog.all()) {
            if (!c.bindsServer() && c.testable()) {
                problems.add(c.id() + " binds the " + c.binds() + " but has no reason why no build can be tested on it");
            }
        }
        Matcher v = MD_VERSION.matcher(md);
        assertTrue(v.find(), "spec/litsxg.md states no **Version x.y** in its header");
        assertEquals(v.group(1), ClauseCatalog.version(), "spec/VERSION and the version in spec/litsxg.md differ");
        assertEquals(List.of(), problems);
    }

    @Test
    void untestableClausesHaveNoScenario() {
        List<String> odd = new ArrayList<>();
        for (Scenario s : scenarios) {
            for (String id : clauseTags(s)) {
                catalog.get(id).filter(c -> !c.testable()).ifPresent(c ->
                        odd.add(s.file() + ":" + s.line() + " checks " + id + ", marked untestable: " + c.untestable()));
            }
        }
        assertTrue(odd.isEmpty(), String.join("\n", odd));
    }

    @Test
    void oneRulePerClauseAndScenariosCarryTheirRulesTagAndLevel() {
        List<String> problems = new ArrayList<>();
        rules.forEach((id, where) -> {
            if (where.size() > 1) {
                problems.add("clause " + id + " has " + where.size() + " rules: " + where);
            }
        });
        for (Scenario s : scenarios) {
            String where = s.file() + ":" + s.line();
            if (s.rule() == null) {
                problems.add(where + " is outside any Rule");
                continue;
            }
            if (!clauseTags(s).contains(s.rule())) {
                problems.add(where + " under Rule " + s.rule() + " lacks the tag @" + s.rule());
            }
            List<String> levels = s.tags().stream().map(t -> t.toLowerCase(Locale.ROOT))
                    .filter(ScenarioResult.LEVELS::contains).toList();
            String expected = catalog.get(s.rule()).map(c -> ScenarioResult.levelTag(c.level())).orElse("?");
            if (!levels.equals(List.of(expected))) {
                problems.add(where + " has level tags " + levels + "; its rule " + s.rule() + " is @" + expected);
            }
        }
        assertEquals(List.of(), problems);
    }
}
