package org.litsxg.conformance.explore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.litsxg.conformance.launch.ReferenceWarmup;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.KitSettings;

/** The builds the explorer's tests run: the reference jar, the Python build with its defect switches. */
final class ExploreBuilds {

    private ExploreBuilds() {
    }

    static Path referenceJar() {
        return Path.of(System.getProperty(KitSettings.REFERENCE_JAR, "../src/target/litsxg.jar")).toAbsolutePath();
    }

    static Path pythonBuild() {
        return Path.of(System.getProperty("litsxg.python.build", "src/test/resources/builds/python/litsxg.py")).toAbsolutePath();
    }

    /** The reference server's default template (with its class-data archive, as the command uses). */
    static String reference() {
        Path jar = referenceJar();
        Path archive = jar.getParent().resolve("litsxg-reference.jsa");
        boolean cds = ReferenceWarmup.archive(jar, archive);
        return KitSettings.referenceTemplate(jar.toString(), cds ? archive.toString() : null);
    }

    /** The Python build with {@code defect} switched on (null: none), as DefectiveBuildsTest starts it. */
    static String python(String defect) {
        String py = "python3 '" + pythonBuild() + "' --bind {bind} --port {port} --data-dir {data_dir} --max-queued {max_queued}"
                + " --max-connections {max_connections} --auth-timeout {auth_timeout}"
                + " --max-pending-bytes {max_pending_bytes} --log-level {log_level} --pbkdf2-iterations 2000";
        return defect == null ? py : "env LITSXG_DEFECT=" + defect + " " + py;
    }

    /** The explorer's default limits for a template: 4 clients, as the command's defaults. */
    static Explorer.Settings settings(String template) throws IOException {
        return ExploreCommand.settings(CommandTemplate.parse(template), 4, 3, 3, 2, 65536, 1.0, true);
    }

    /**
     * Every planted defect of the Python build: the set {@code KNOWN_DEFECTS = {...}} and every
     * {@code KNOWN_DEFECTS |= {...}} statement after it (one per helper that adds defects).
     */
    static Set<String> knownDefects() throws IOException {
        String src = Files.readString(pythonBuild());
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("KNOWN_DEFECTS\\s*\\|?=\\s*\\{([^}]*)}").matcher(src);
        while (m.find()) {
            Matcher n = Pattern.compile("\"([a-z0-9-]+)\"").matcher(m.group(1));
            while (n.find()) {
                names.add(n.group(1));
            }
        }
        return names;
    }
}
