package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.Unimplemented;

/**
 * Steps that configure the scenario's server before it starts: its limits and log level (set
 * through the command template's placeholders), the build it runs, a flag left out, a second
 * server.
 */
public final class ServerConfigSteps {

    private final ScenarioContext ctx;
    private final Servers servers;

    public ServerConfigSteps(ScenarioContext ctx, Servers servers) {
        this.ctx = ctx;
        this.servers = servers;
    }

    @Given("the server is running")
    public void running() {
        servers.running();
    }

    @Given("the server is running with log level {word}")
    public void runningWithLogLevel(String level) {
        servers.configure("log_level", level, "set the log level to " + level);
        servers.running();
    }

    @Given("the server is configured with an auth timeout of {int} second(s)")
    public void authTimeout(int seconds) {
        servers.configure("auth_timeout", Integer.toString(seconds), "set an auth timeout of " + seconds + " s");
    }

    @Given("the server is configured with a queue limit of {int} message(s)")
    public void queueLimit(int n) {
        servers.configure("max_queued", Integer.toString(n), "set a queue limit of " + n);
    }

    @Given("the server is configured with a connection limit of {int}")
    public void connectionLimit(int n) {
        servers.configure("max_connections", Integer.toString(n), "set a connection limit of " + n);
    }

    @Given("the server is configured with a pending output limit of {int} bytes")
    public void pendingLimit(int n) {
        servers.configure("max_pending_bytes", Integer.toString(n), "set a pending output limit of " + n + " bytes");
    }

    @Given("the server is configured with log level {word}")
    public void logLevel(String level) {
        servers.configure("log_level", level, "set the log level to " + level);
    }

    @Given("the server runs the previous build")
    public void previousBuild() {
        ctx.server().template(servers.previousBuild());
        servers.running();
    }

    @Given("a second server is running with its own port and data directory")
    public void secondServer() {
        servers.start(ctx.instance("second server"));
    }

    @When("the server is started without the flag for {word}")
    public void startedWithout(String placeholder) {
        if (placeholder.equals("port")) {
            startedWithoutPort();
            return;
        }
        CommandTemplate without = ctx.settings().server().without(placeholder).orElseThrow(() -> new Unimplemented(
                "the server command template has no --flag {" + placeholder + "} the kit could leave out"));
        ServerInstance s = ctx.server();
        s.template(without);
        servers.start(s);
    }

    /** Without --port the build must listen on 7667; checked only while 7667 is free here. */
    private void startedWithoutPort() {
        CommandTemplate without = ctx.settings().server().without("port").orElseThrow(() -> new Unimplemented(
                "the server command template has no --flag {port} the kit could leave out"));
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", 7667));
        } catch (IOException e) {
            throw new Unimplemented("port 7667 is in use on this machine, so the default port cannot be checked");
        }
        ServerInstance s = ctx.server();
        s.template(without);
        s.port(7667);
        servers.start(s);
    }

    @When("the server is started with a data directory path whose parents do not exist")
    public void startedWithNestedDataDir() {
        ServerInstance s = ctx.server();
        s.dataDir(s.workDir().resolve("nested").resolve("deeper").resolve("data"));
        servers.start(s);
    }
}
