package org.litsxg.conformance.upgrade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.upgrade.UpgradeInPlace.Check;
import org.litsxg.conformance.upgrade.UpgradeInPlace.Reason;

/**
 * The upgrade checks that judge what was recorded, without a server: extensions (a command word
 * the old build did not know), migration (the store's schema, user_version and rows), plaintext
 * on disk (a file the new build wrote holding a message text or a secret).
 */
final class UpgradeChecks {

    private UpgradeChecks() {
    }

    /**
     * Every probed word the old build answered {@code ERR unknown-command} must get that from the
     * new one too.
     */
    static Check extensions(Map<String, String> old, Map<String, String> neu) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> e : neu.entrySet()) {
            String was = old.getOrDefault(e.getKey(), "");
            if (was.equals("ERR unknown-command") && !e.getValue().equals("ERR unknown-command")) {
                found.add("command " + e.getKey() + " answered \"" + e.getValue() + "\" (the old build: ERR unknown-command)");
            }
        }
        return new Check("no command word the old build did not know (" + UpgradeInPlace.PROBES.size() + " probed)",
                found.isEmpty(), Reason.EXTENSION, String.join("; ", found));
    }

    /** The store as the old build left it, and as the new one left it (either null when there was none). */
    static Check migration(StoreSnapshot before, StoreSnapshot after) {
        List<String> changes = new ArrayList<>();
        if (before == null) {
            return new Check("no migration (the old build left no " + StoreSnapshot.DATABASE + ")", after == null,
                    Reason.MIGRATION, after == null ? "" : "the new build created " + StoreSnapshot.DATABASE);
        }
        if (after == null) {
            return new Check("no migration", false, Reason.MIGRATION, StoreSnapshot.DATABASE + " is gone");
        }
        if (before.userVersion() != after.userVersion()) {
            changes.add("user_version " + before.userVersion() + " -> " + after.userVersion());
        }
        if (!before.schema().equals(after.schema())) {
            List<String> added = new ArrayList<>(after.schema());
            added.removeAll(before.schema());
            List<String> removed = new ArrayList<>(before.schema());
            removed.removeAll(after.schema());
            changes.add("schema changed" + (removed.isEmpty() ? "" : "; was: " + String.join(" | ", removed))
                    + (added.isEmpty() ? "" : "; now: " + String.join(" | ", added)));
        }
        List<String> digestsAfter = after.rows().stream().map(DataDirDigest::sha256).toList();
        long changed = before.rows().stream().map(DataDirDigest::sha256).filter(d -> !digestsAfter.contains(d)).count();
        if (changed > 0) {
            changes.add(changed + " of " + before.rows().size() + " pre-existing rows changed or removed");
        }
        if (after.rows().size() > before.rows().size() - changed) {
            changes.add((after.rows().size() - (before.rows().size() - changed)) + " rows added or rewritten");
        }
        return new Check("no migration: schema, user_version " + before.userVersion() + " and " + before.rows().size()
                + " rows unchanged", changes.isEmpty(), Reason.MIGRATION, String.join("; ", changes));
    }

    /**
     * Of the files under {@code root} that changed between {@code before} and {@code after}
     * (path to sha256), none may hold one of {@code texts} or {@code secrets}.
     */
    static Check plaintext(Path root, Map<String, String> before, Map<String, String> after, List<String> texts,
            List<String> secrets) throws IOException {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (e.getValue().equals(before.get(e.getKey()))) {
                continue;
            }
            byte[] content = Files.readAllBytes(root.resolve(e.getKey()));
            String hay = new String(content, StandardCharsets.ISO_8859_1);
            if (texts.stream().anyMatch(t -> hay.contains(new String(t.getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1)))) {
                found.add(e.getKey() + " holds a message text");
            }
            if (secrets.stream().anyMatch(hay::contains)) {
                found.add(e.getKey() + " holds a secret");
            }
        }
        return new Check("no file the new build wrote holds a message text or a secret in clear", found.isEmpty(),
                Reason.PLAINTEXT_ON_DISK, String.join("; ", found));
    }
}
