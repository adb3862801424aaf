package org.litsxg.conformance.steps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.WireClient;

/**
 * The scenario's client connections: opened (to a server of the scenario, or to one elsewhere
 * under the scenario's names), looked up by label, written to. One per scenario, injected by
 * cucumber-picocontainer; {@link Evidence} closes them and attaches their transcripts.
 *
 * <p>Client labels: {@code alice} is alice's (first) connection; {@code alice#2} a second
 * connection authenticating as the same name.
 */
public final class Clients {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Secrets secrets;
    private final Map<String, WireClient> clients = new LinkedHashMap<>();
    private final List<Transcript> transcriptsOfFailedConnects = new ArrayList<>();

    public Clients(ScenarioContext ctx, Servers servers, Secrets secrets) {
        this.ctx = ctx;
        this.servers = servers;
        this.secrets = secrets;
    }

    /** The identity name behind a client label ({@code alice#2} is alice). */
    public static String nameOf(String label) {
        int hash = label.indexOf('#');
        return hash < 0 ? label : label.substring(0, hash);
    }

    /** Opens a connection labelled {@code label} to the scenario's server (started if needed). */
    public WireClient connect(String label) {
        return connect(label, servers.running());
    }

    /** Opens a connection labelled {@code label} to {@code instance}; fails if it cannot. */
    public WireClient connect(String label, ServerInstance instance) {
        WireClient old = clients.get(label);
        if (old != null && !old.isClosedByKit()) {
            old.close();
        }
        return open(label, instance, 0);
    }

    /** Opens a connection that has stopped reading: small receive buffer, reader paused. */
    public WireClient connectNonReading(String label) {
        return open(label, servers.running(), WireClient.NON_READING_RECEIVE_BUFFER);
    }

    /**
     * Connects {@code label} to {@code instance} (directly, or to a server elsewhere under the
     * scenario's names) and keeps it; fails the scenario if it cannot.
     *
     * @param receiveBuffer the socket receive buffer in bytes, or 0 for the system's default
     */
    private WireClient open(String label, ServerInstance instance, int receiveBuffer) {
        Transcript t = new Transcript(label, ctx.origin());
        Duration timeout = ctx.settings().replyTimeout();
        try {
            WireClient c = instance.remote() != null
                    ? WireClient.connect(label, instance.remote(), timeout, t, receiveBuffer, false, ctx.aliases())
                    : WireClient.connect(label, instance.address(), timeout, t, receiveBuffer, false);
            clients.put(label, c);
            ctx.opened(c);
            return c;
        } catch (IOException e) {
            transcriptsOfFailedConnects.add(t);
            throw ctx.failure("a TCP connection to " + instance.label() + " at "
                            + (instance.remote() != null ? instance.remote() : instance.address()),
                    "connect failed: " + e.getMessage());
        }
    }

    /** The open connection labelled {@code label}. */
    public WireClient client(String label) {
        WireClient c = clients.get(label);
        if (c == null) {
            throw new IllegalStateException("no connection labelled " + label + " in this scenario");
        }
        return c;
    }

    public boolean hasClient(String label) {
        return clients.containsKey(label);
    }

    /** The latest connection of each label. */
    public List<WireClient> clients() {
        return List.copyOf(clients.values());
    }

    /** Every connection the scenario opened, the replaced ones too. */
    List<WireClient> everyConnection() {
        return ctx.connections();
    }

    /** The transcripts of the connects that failed. */
    List<Transcript> failedConnects() {
        return List.copyOf(transcriptsOfFailedConnects);
    }

    /** Sends a line; a write error fails the scenario with the clauses quoted. */
    public void send(WireClient c, byte[] bytes) {
        secrets.noteSecrets(bytes);
        try {
            c.sendBytes(bytes);
        } catch (IOException e) {
            // A write that fails is a connection lost: the same grace as for one seen to end.
            throw ctx.failure(c.name() + " can write \"" + Transcript.render(bytes) + "\"",
                    "the write failed: " + e.getMessage(), ctx.settings().scaled(Duration.ofSeconds(1)));
        }
    }

    /** Sends {@code line} + LF. */
    public void sendLine(WireClient c, String line) {
        send(c, (line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Waits at most {@code timeout} for a background writer to end; fails the scenario if it does not. */
    public void join(CompletableFuture<Void> writer, Duration timeout, String what) {
        try {
            writer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw ctx.failure(what + " within " + timeout.toMillis() + " ms", "it did not complete");
        } catch (Exception e) {
            throw ctx.failure(what, e.toString());
        }
    }
}
