package org.litsxg.conformance.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which build a report speaks of: the command template, each file it names (the executable
 * and any script or jar argument that exists) with its sha256, the time, the kit's version, and
 * the version of the spec the kit judges against ({@code spec/VERSION}).
 * Like seed 003's release artifact, a report is only as good as its identification.
 */
public record BuildIdentity(String template, Map<String, String> sha256, String time, String kitVersion,
        String specVersion) {

    public BuildIdentity(String template, Map<String, String> sha256, String time, String kitVersion) {
        this(template, sha256, time, kitVersion, org.litsxg.conformance.support.ClauseCatalog.version());
    }

    /** Identifies the build that {@code argv} (the template's words, placeholders unfilled) starts. */
    public static BuildIdentity of(String template, List<String> argv) {
        Map<String, String> digests = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        if (!argv.isEmpty()) {
            resolveExecutable(argv.get(0)).ifPresent(files::add);
        }
        for (String word : argv.subList(Math.min(1, argv.size()), argv.size())) {
            if (word.contains("{") || word.startsWith("-")) {
                continue;
            }
            Path p = Path.of(word);
            if (Files.isRegularFile(p)) {
                files.add(p);
            }
        }
        for (Path f : files) {
            digests.put(f.toAbsolutePath().normalize().toString(), sha256(f));
        }
        return new BuildIdentity(template, digests, Instant.now().toString(), currentKitVersion());
    }

    /** This identity for a build reached at {@code where} rather than (only) started by the kit. */
    public BuildIdentity external(String where) {
        String t = "external server at " + where + (template.isEmpty() ? "" : "; local scenarios: " + template);
        return new BuildIdentity(t, sha256, time, kitVersion, specVersion);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", template);
        m.put("sha256", sha256);
        m.put("time", time);
        m.put("kit_version", kitVersion);
        m.put("spec_version", specVersion);
        return m;
    }

    /** The kit's version from the jar manifest, or "dev" when run from classes. */
    public static String currentKitVersion() {
        String v = BuildIdentity.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static java.util.Optional<Path> resolveExecutable(String word) {
        if (word.contains("/")) {
            Path p = Path.of(word);
            return Files.isRegularFile(p) ? java.util.Optional.of(real(p)) : java.util.Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return java.util.Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, word);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return java.util.Optional.of(real(p));
            }
        }
        return java.util.Optional.empty();
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
