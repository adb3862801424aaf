package org.litsxg.conformance.steps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.litsxg.conformance.support.FileScan;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.WireClient;

/**
 * What a scenario leaves behind: the files its server wrote (scanned for its secrets), the
 * evidence attached to its report (every server's output, every connection's transcript), and
 * the cleanup (connections closed, servers stopped, the temporary directory removed). One per
 * scenario, injected by cucumber-picocontainer; {@link Hooks} calls {@link #attach()} and
 * {@link #close()}.
 */
public final class Evidence {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;

    public Evidence(ScenarioContext ctx, Clients clients, Secrets secrets) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
    }

    /**
     * Every file the scenario's server may have written so far, wherever its user can write
     * ({@link FileScan}): its own working, data, temporary and home directories, and the files of
     * shared directories that are the build's (held open by it, or holding a secret of this
     * scenario in any of {@code forms}).
     */
    public List<FileScan.Found> filesOfServer(Function<String, Collection<byte[]>> forms) {
        List<byte[]> markers = new ArrayList<>();
        for (String s : secrets.secrets().values()) {
            if (s.contains(secrets.token())) {
                markers.addAll(forms.apply(s));
            }
        }
        return FileScan.scan(ctx.server(), ctx.began(), markers);
    }

    /** Attaches every server's output and every client's transcript to the scenario report. */
    void attach() {
        for (ServerInstance i : ctx.servers()) {
            for (ServerProcess p : i.processes()) {
                ctx.scenario().attach(p.report().getBytes(StandardCharsets.UTF_8), "text/plain",
                        "server output: " + p.label());
            }
        }
        for (WireClient c : clients.everyConnection()) {
            ctx.scenario().attach(c.transcript().text().getBytes(StandardCharsets.UTF_8), "text/plain",
                    "transcript: " + c.name());
        }
        for (Transcript t : clients.failedConnects()) {
            ctx.scenario().attach(t.text().getBytes(StandardCharsets.UTF_8), "text/plain",
                    "transcript: failed connect");
        }
    }

    /** Closes every connection and stops every server (TERM, bounded wait, KILL). */
    public void shutdown() {
        for (WireClient c : clients.everyConnection()) {
            c.close();
        }
        for (ServerInstance i : ctx.servers()) {
            i.close();
        }
    }

    /** Shuts down, then removes the scenario's temporary directory. */
    public void close() {
        shutdown();
        ctx.close();
    }
}
