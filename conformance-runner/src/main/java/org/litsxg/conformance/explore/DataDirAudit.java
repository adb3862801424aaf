package org.litsxg.conformance.explore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.litsxg.conformance.support.FileScan;

/**
 * STORE-9, STORE-8, STORE-4 after a stop: the data directory holds identities.db, SQLite's
 * companion files and at most one more file (a lock), and no file holds a secret or a message
 * text the clients sent, in clear.
 */
final class DataDirAudit {

    private final Set<String> secretsSent = new LinkedHashSet<>();
    private final Set<String> textsSent = new LinkedHashSet<>();

    /** Remembers the secrets and message texts in what a client wrote (long and varied enough to search for). */
    void sent(byte[] bytes) {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String[] t = line.split(" ", 3);
            if (t.length == 3 && t[0].equals("AUTH") && t[2].length() >= 8 && !t[2].contains(" ")) {
                secretsSent.add(t[2].replace("\r", ""));
            } else if (t.length == 3 && t[0].equals("SEND") && t[2].length() >= 8 && t[2].chars().distinct().count() > 2) {
                textsSent.add(t[2].replace("\r", ""));
            }
        }
    }

    /** The first breach in {@code dir}, or null. */
    Divergence check(Path dir) {
        List<String> others = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (!n.equals("identities.db") && !n.startsWith("identities.db-")) {
                    others.add(n);
                }
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                Divergence d = inClear(n, Files.readAllBytes(f));
                if (d != null) {
                    return d;
                }
            }
        } catch (IOException e) {
            return new Divergence(List.of("STORE-1"), "server", "a readable data directory", e.toString(), null);
        }
        if (others.size() > 1) {
            return new Divergence(List.of("STORE-9"), "server", "identities.db, SQLite's companion files and one lock file",
                    "also " + others, "after a stop no file exists under the server's directories but those the contract names");
        }
        return null;
    }

    private Divergence inClear(String n, byte[] content) {
        for (String s : secretsSent) {
            if (FileScan.indexOf(content, s.getBytes(StandardCharsets.UTF_8)) >= 0) {
                return new Divergence(List.of("STORE-4", "SEC-4"), "server", "no secret in clear in any file",
                        "the data directory's " + n + " holds the secret \"" + s + "\"",
                        "no file under the server's directories holds any secret the clients sent");
            }
        }
        for (String t : textsSent) {
            if (FileScan.indexOf(content, t.getBytes(StandardCharsets.UTF_8)) >= 0) {
                return new Divergence(List.of("STORE-8"), "server", "no message text in any file",
                        "the data directory's " + n + " holds \"" + t + "\"",
                        "no file under the server's directories holds any message text, now or after a stop");
            }
        }
        return null;
    }
}
