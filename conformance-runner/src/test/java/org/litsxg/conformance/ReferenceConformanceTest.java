package org.litsxg.conformance;

import java.nio.file.Path;
import org.junit.platform.suite.api.BeforeSuite;
import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;
import org.litsxg.conformance.launch.ReferenceWarmup;
import org.litsxg.conformance.support.KitSettings;

/**
 * Runs every bundled feature against the reference server, {@code src/target/litsxg.jar},
 * built by the reactor before this module (its path arrives as the system property
 * {@code litsxg.reference.jar}). Set {@code -Dlitsxg.server=...} to run the same suite against
 * another build. Reports: {@code target/cucumber/} (HTML, JUnit XML, NDJSON messages) and
 * {@code target/conformance/outcomes.json}; configuration in {@code junit-platform.properties}.
 */
@Suite(failIfNoTests = true)
@IncludeEngines("cucumber")
@SelectPackages("features")
@ConfigurationParameter(key = "cucumber.glue", value = "org.litsxg.conformance.steps")
class ReferenceConformanceTest {

    /**
     * Unless another build is named, warms the reference jar up once so that its many server
     * JVMs share one class-data archive (see {@link ReferenceWarmup}).
     */
    @BeforeSuite
    static void warmUp() {
        String jar = System.getProperty(KitSettings.REFERENCE_JAR);
        if (System.getProperty(KitSettings.SERVER) != null || jar == null) {
            return;
        }
        Path archive = Path.of("target", "litsxg-reference.jsa").toAbsolutePath();
        if (ReferenceWarmup.archive(Path.of(jar), archive)) {
            System.setProperty(KitSettings.REFERENCE_CDS, archive.toString());
        }
    }
}
