package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.litsxg.conformance.support.Pbkdf2;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * UPG: the data directory as an earlier release of the build left it, written by the kit in the
 * build's own schema and row layout, with other PBKDF2 parameters.
 */
public final class EarlierReleaseSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public EarlierReleaseSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    /**
     * Writes, into the (new) data directory, the identities.db an earlier release of this build
     * would have left: the kit first lets the build register a probe name in a scratch
     * directory to learn its schema and row encoding, then creates a fresh SQLite file itself
     * (rollback journal, SQLite's defaults) with that schema and {@code user_version}, and rows
     * for {@code names} whose secrets are hashed with PBKDF2 at other parameters than the
     * build's own (other iteration counts, a 24-byte salt), plus one row deleted again, as an
     * operator may have done (STORE-13), which leaves free space in the file. The build has
     * never opened this file. NOT RUN when the kit cannot read the build's row encoding.
     */
    @Given("the data directory holds identities.db as an earlier release left it, for {word}, {word} and {word},"
            + " hashed with other PBKDF2 parameters")
    public void earlierReleaseDatabase(String n1, String n2, String n3) {
        ServerInstance probe = ctx.instance("probe");
        String probeName = "probe";
        servers.start(probe);
        WireClient c = clients.connect(probeName, probe);
        protocol.authenticate(c, "OK registered");
        c.close();
        servers.stop(probe);
        StoreSnapshot made = servers.readStore(probe);
        StoreSnapshot.Row row = made.rowsNaming(probeName).stream().findFirst().orElseThrow(() -> ctx.failure(
                "a row of identities.db naming " + probeName, "none does:\n" + made));
        Pbkdf2.Layout layout = Pbkdf2.find(row.values(), secrets.secret(probeName)).orElseThrow(() -> new Unimplemented(
                "the kit cannot read how the build's rows keep their PBKDF2 parameters (STORE-5), so it cannot write"
                        + " a database of an earlier release: " + made.rowsMentioning(probeName)));
        String nameColumn = row.columnHolding(probeName).orElseThrow();
        Path dir = ctx.server().dataDir();
        Path db = dir.resolve(StoreSnapshot.DATABASE);
        SecureRandom random = new SecureRandom();
        List<String> names = List.of(n1, n2, n3, "gone");
        long[] iterations = {1500, 3000, 1200, 2500};
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createFile(db, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
                    Statement st = conn.createStatement()) {
                st.execute("PRAGMA journal_mode=DELETE");
                for (String sql : made.createStatements()) {
                    st.execute(sql);
                }
                st.execute("PRAGMA user_version = " + made.userVersion());
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    byte[] salt = new byte[24];
                    random.nextBytes(salt);
                    if (layout.textSalt()) {
                        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
                        for (int k = 0; k < salt.length; k++) {
                            salt[k] = (byte) alphabet.charAt(Math.floorMod(salt[k], alphabet.length()));
                        }
                    }
                    Map<String, Object> values = new LinkedHashMap<>(row.values());
                    values.put(nameColumn, name);
                    values.putAll(layout.rewrite(row.values(), secrets.secret(name), salt, iterations[i]));
                    String cols = values.keySet().stream().map(k -> "\"" + k + "\"").collect(Collectors.joining(", "));
                    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO \"" + row.table() + "\" (" + cols
                            + ") VALUES (" + String.join(", ", Collections.nCopies(values.size(), "?")) + ")")) {
                        int k = 1;
                        for (Object v : values.values()) {
                            ps.setObject(k++, v);
                        }
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM \"" + row.table() + "\" WHERE \""
                        + nameColumn + "\" = ?")) {
                    ps.setString(1, "gone");
                    ps.executeUpdate();
                }
            }
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("the kit cannot write the earlier release's database " + db + ": " + e, e);
        }
        ctx.scenario().log("earlier release's identities.db: rows of " + List.of(n1, n2, n3) + " at "
                + Arrays.toString(Arrays.copyOf(iterations, 3)) + " iterations with 24-byte salts, in the layout of"
                + " the build's own rows (salt " + layout.saltField() + ", iterations " + layout.iterationsField()
                + ", key " + layout.hashField() + ")");
        servers.recordStoreBefore("restart");
    }
}
