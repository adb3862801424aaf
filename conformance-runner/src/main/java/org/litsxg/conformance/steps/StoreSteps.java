package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.litsxg.conformance.support.Pbkdf2;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about the identity store read from outside: a name's secret still works (or is
 * refused), the rows, the PBKDF2 layout of a secret's hash, the schema, a store unchanged by a
 * restart or upgrade; and rows the kit edits as an operator would, while the server is stopped.
 */
public final class StoreSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public StoreSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    private StoreSnapshot store() {
        return servers.readStore(ctx.server());
    }

    private void expectAuth(String name, String secret, String expected, String what) {
        Received r = protocol.authOnNewConnection(name, secret);
        ctx.check(r instanceof Received.Line l && l.firstTokens(2).equals(expected), what + ": \"" + expected + "\"",
                "got " + r);
    }

    @Then("{word} can authenticate with her/his secret")
    public void canAuthenticate(String name) {
        expectAuth(name, secrets.secret(name), "OK authenticated", name + " authenticates with the secret it registered");
    }

    @Then("{word}'s wrong secret is refused")
    public void wrongRefused(String name) {
        expectAuth(name, "not-" + secrets.secret(name), "ERR auth-failed", name + " with a wrong secret is refused");
    }

    @Then("{word} can register again with another secret")
    public void registerAgain(String name) {
        String other = "another-" + secrets.secret(name);
        expectAuth(name, other, "OK registered", name + " is unknown and can be claimed again");
        secrets.secret(name, other);
    }

    @Given("{word} has registered and the server process was killed right after her/his {string}")
    public void registeredThenKilled(String name, String reply) {
        WireClient c = clients.connect(name);
        protocol.authenticate(c, reply);
        ctx.server().current().kill();
    }

    @Given("{word} is registered with the secret {string}")
    public void registeredWithSecret(String name, String secret) {
        secrets.secret(name, secret);
        protocol.register(name);
    }

    @Given("{word} and {word} are registered with the same secret")
    public void sameSecret(String a, String b) {
        secrets.secret(b, secrets.secret(a));
        protocol.register(a);
        protocol.register(b);
    }

    @Then("the data directory holds identities.db, a SQLite database with a row naming {word}")
    public void holdsDatabase(String name) {
        StoreSnapshot s = store();
        ctx.check(!s.rowsNaming(name).isEmpty(), "a row with a column holding \"" + name + "\"", s.toString());
    }

    /**
     * Where {@code name}'s row keeps the PBKDF2 salt, iterations and key of its secret. A row
     * the kit cannot read (an encoding it does not know, spec STORE-5) makes the scenario NOT
     * RUN with the reason: the kit cannot tell such a row from a wrong one.
     */
    private Pbkdf2.Layout layout(StoreSnapshot s, String name) {
        List<StoreSnapshot.Row> rows = s.rowsNaming(name);
        if (rows.isEmpty()) {
            throw ctx.failure("a row of identities.db naming " + name, "none does:\n" + s);
        }
        for (StoreSnapshot.Row r : rows) {
            Optional<Pbkdf2.Layout> l = Pbkdf2.find(r.values(), secrets.secret(name));
            if (l.isPresent()) {
                return l.get();
            }
        }
        throw new Unimplemented("the kit cannot read how " + name + "'s row keeps its PBKDF2-HMAC-SHA256 salt,"
                + " iterations and key (it reads columns of their own as BLOB, hex or Base64, PHC and passlib"
                + " strings, Django strings and JSON members; STORE-5); the rows: " + s.rowsMentioning(name));
    }

    @Then("{word}'s row holds a PBKDF2-HMAC-SHA256 hash of her/his secret, with the salt and iteration count used")
    public void holdsHash(String name) {
        Pbkdf2.Layout l = layout(store(), name);
        ctx.check(l.salt().length >= 8, "a salt of at least 8 bytes", l.salt().length + " bytes");
        ctx.scenario().log("layout of " + name + "'s row: salt " + l.saltField() + " (" + l.saltEncoding() + ", "
                + l.salt().length + " bytes), iterations " + l.iterationsField() + " = " + l.iterations() + ", key "
                + l.hashField() + " (" + l.hashEncoding() + ", " + l.keyLength() + " bytes)");
    }

    @Then("{word}'s and {word}'s rows hold different salts and different hashes")
    public void differentSalts(String a, String b) {
        StoreSnapshot s = store();
        Pbkdf2.Layout la = layout(s, a);
        Pbkdf2.Layout lb = layout(s, b);
        boolean sameHash = Arrays.equals(la.hash(), lb.hash());
        ctx.check(!Arrays.equals(la.salt(), lb.salt()) && !sameHash,
                "two names with the same secret have different salts and hashes", "same salt: "
                        + Arrays.equals(la.salt(), lb.salt()) + ", same hash: " + sameHash);
    }

    @Given("while the server was stopped {word}'s row was rewritten with {int} iterations")
    public void rewritten(String name, int iterations) {
        servers.stopIfRunning();
        StoreSnapshot s = store();
        StoreSnapshot.Row row = s.rowsNaming(name).stream().findFirst().orElseThrow(() ->
                new Unimplemented("no row of identities.db names " + name));
        Pbkdf2.Layout l = Pbkdf2.find(row.values(), secrets.secret(name)).orElseThrow(() -> new Unimplemented(
                "the kit cannot find the PBKDF2 salt, iterations and key on " + name + "'s row"));
        String nameColumn = row.columnHolding(name).orElseThrow();
        Map<String, Object> changes = l.rewrite(row.values(), secrets.secret(name), iterations);
        update(row.table(), changes.keySet().stream().map(c -> "\"" + c + "\" = ?").collect(Collectors.joining(", ")),
                nameColumn, name, changes.values().toArray());
    }

    @Given("while the server was stopped {word}'s row was deleted")
    public void rowDeleted(String name) {
        servers.stopIfRunning();
        StoreSnapshot.Row row = store().rowsNaming(name).stream().findFirst().orElseThrow(() ->
                ctx.failure("a row of identities.db names " + name, "none does"));
        String col = row.columnHolding(name).orElseThrow();
        sql("DELETE FROM \"" + row.table() + "\" WHERE \"" + col + "\" = ?", name);
    }

    private void update(String table, String set, String nameColumn, String name, Object... values) {
        Object[] params = Arrays.copyOf(values, values.length + 1);
        params[values.length] = name;
        sql("UPDATE \"" + table + "\" SET " + set + " WHERE \"" + nameColumn + "\" = ?", params);
    }

    /** Runs one statement on the stopped server's live identities.db, as an operator would. */
    private void sql(String statement, Object... params) {
        Path db = ctx.server().dataDir().resolve(StoreSnapshot.DATABASE);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                PreparedStatement st = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            int n = st.executeUpdate();
            ctx.check(n == 1, "the operator's statement changes one row: " + statement, n + " rows changed");
        } catch (SQLException e) {
            throw new IllegalStateException("the kit cannot edit " + db + ": " + e.getMessage(), e);
        }
    }

    @Then("the kit records the schema and user_version of identities.db")
    public void recordSchema() {
        StoreSnapshot s = store();
        ctx.observe("user_version " + s.userVersion() + "; schema: " + String.join("; ", s.schema()));
    }

    @Then("the identity store is byte-identical to the one before the restart/upgrade")
    public void identical() {
        StoreSnapshot before = servers.recordedStore("restart").orElseThrow(() ->
                new IllegalStateException("no identity store was recorded before the restart"));
        servers.stopIfRunning();
        StoreSnapshot after = store();
        ctx.check(before.sameAs(after), "schema, user_version and rows unchanged:\n" + before, after.toString());
        List<String> diff = before.contentDifferences(after);
        ctx.check(diff.isEmpty(), "identities.db byte-identical, page by page with its WAL folded in (only the header"
                + " bytes SQLite itself rewrites on any write may differ: 18-19 journal mode, 24-27 change counter,"
                + " 92-99 version numbers)", String.join("; ", diff));
    }
}
