package org.litsxg.conformance.upgrade;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.litsxg.conformance.support.CommandTemplate;

/**
 * The upgrade as an operator does it (seed 000: stop, replace the binary, start), on one data
 * directory, with real processes and sockets:
 * <ol>
 *   <li>the old build starts on a fresh data directory; identities are registered and messages
 *       queued for those offline; unknown command words are probed; the build is stopped
 *       (SIGTERM);</li>
 *   <li>the data directory is snapshotted: its files with their sha256, the SQLite schema,
 *       {@code PRAGMA user_version}, and a digest of every row;</li>
 *   <li>the new build starts on the same directory: every identity must authenticate with its
 *       secret and be refused with a wrong one; no queued message may arrive; the probed words
 *       must get the answers they got from the old build; it is stopped and the directory
 *       compared with the snapshot (no migration, no file holding a message or secret in clear);</li>
 *   <li>rollback: the old build starts again on the directory; whether it serves the identities
 *       is reported, never judged (the policy allows either).</li>
 * </ol>
 * Blocks for a few seconds plus three build starts. Secrets and message texts are random per
 * run and never printed.
 */
public final class UpgradeInPlace {

    /** What a check found wrong, under the policy's name for it. */
    public enum Reason {
        LOST_IDENTITIES("lost identities"),
        MIGRATION("migration"),
        EXTENSION("extension"),
        QUEUED_MESSAGES_KEPT("queued messages kept"),
        PLAINTEXT_ON_DISK("plaintext on disk"),
        DOES_NOT_START("does not start on the old data directory");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One check of the upgrade: what it checked, whether it held, what was seen. */
    public record Check(String what, boolean passed, Reason reason, String detail) {
    }

    /** Everything the upgrade in place found. */
    public record Result(List<Check> checks, String rollback, List<String> filesBefore, List<String> filesAfter,
            String storeBefore, String storeAfter, int identities, int queued) {

        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }

        public List<Check> failures() {
            return checks.stream().filter(c -> !c.passed()).toList();
        }
    }

    /** The old build could not be set up (it would not start, or did not register identities). */
    public static final class SetupFailure extends Exception {
        public SetupFailure(String message) {
            super(message);
        }
    }

    /** Identities the check registers; the first stays online to queue messages for the others. */
    static final List<String> NAMES = List.of("alice", "bob", "carol", "dave");

    /**
     * Command words outside the contract: each must get {@code ERR unknown-command} from the new
     * build whenever it got that from the old one. The contract's own examples, then words other
     * chat protocols use.
     */
    static final List<String> PROBES = List.of("VERSION", "CAP", "STARTTLS", "HELP", "LIST", "WHO", "WHOIS",
            "NAMES", "JOIN", "NICK", "USER", "PASS", "REGISTER", "PASSWD", "DELETE", "HISTORY", "STATUS",
            "ONLINE", "USERS", "INFO", "MOTD", "TIME", "NOOP", "ACK", "KEY", "AUTH2", "EXT", "FEATURES");

    private final CommandTemplate from;
    private final CommandTemplate to;
    private final Duration startup;
    private final double timescale;
    private final Path root;

    /**
     * @param root     an empty directory the check may use (the data directory lives below it)
     * @param timescale multiplies every wait
     */
    public UpgradeInPlace(CommandTemplate from, CommandTemplate to, Path root, Duration startup, double timescale) {
        this.from = from;
        this.to = to;
        this.root = root;
        this.startup = startup;
        this.timescale = timescale;
    }

    private static Duration scale(Duration d, double x) {
        return Duration.ofNanos((long) (d.toNanos() * x));
    }

    /**
     * Runs the whole check ({@link UpgradeProcedure}, judged by {@link UpgradeChecks}). Blocks;
     * every process it started is stopped when it returns.
     */
    public Result run() throws IOException, SetupFailure {
        return new UpgradeProcedure(from, to, startup, scale(Duration.ofSeconds(10), timescale),
                scale(Duration.ofMillis(500), timescale), scale(Duration.ofSeconds(10), timescale)).run(root);
    }
}
