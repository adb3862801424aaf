package org.litsxg.conformance.steps;

import static org.awaitility.Awaitility.await;

import io.cucumber.java.en.Then;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.litsxg.conformance.support.ProcessTimes;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;

/**
 * Steps that check from outside whether the server is reachable: it serves, still runs, no
 * longer listens, listens only where it should.
 */
public final class ReachabilitySteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Protocol protocol;

    public ReachabilitySteps(ScenarioContext ctx, Servers servers, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.protocol = protocol;
    }

    @Then("for 3 seconds nothing of the server runs or listens on its port")
    public void nothingOfItRuns() {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        Duration watch = ctx.settings().scaled(ProcessTimes.RESTARTER_WATCH);
        long t0 = System.nanoTime();
        try {
            await("nothing listens on " + s.address()).during(watch).atMost(watch.plusSeconds(2))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !ServerProcess.canConnect(s.address()));
        } catch (ConditionTimeoutException e) {
            throw ctx.failure("nothing accepts connections on " + s.address() + " for "
                            + ProcessTimes.seconds(watch.toNanos())
                            + " after the process holding the listening socket was killed (no restarter)",
                    "a connection was accepted within " + ProcessTimes.seconds(
                            System.nanoTime() - t0) + " of the kill; " + listeners(s.port()));
        }
        List<String> alive = p.survivors().stream()
                .map(h -> h.pid() + " " + h.info().commandLine().orElse(h.info().command().orElse("?"))).toList();
        ctx.check(alive.isEmpty(), "no process of the server's tree runs any more once the process holding its "
                        + "listening socket has ended (watched " + ProcessTimes.seconds(watch.toNanos()) + ")",
                "still running: " + alive);
        ctx.observe("measured: the port stayed closed and no process of the build ran for "
                + ProcessTimes.seconds(watch.toNanos()) + " after the kill");
    }

    private static String listeners(int port) {
        return "sockets listening on port " + port + " (/proc/net/tcp inodes): " + ServerProcess.listeningInodes(port);
    }

    @Then("the server cannot be reached on any address but 127.0.0.1")
    public void onlyLoopback() throws SocketException {
        ServerInstance s = ctx.server();
        List<InetAddress> others = new ArrayList<>();
        try {
            others.add(InetAddress.getByName("127.0.0.2"));
            others.add(InetAddress.getByName("::1"));
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    others.add(a);
                }
            }
        }
        List<String> reached = others.stream()
                .filter(a -> ServerProcess.canConnect(new InetSocketAddress(a, s.port())))
                .map(InetAddress::getHostAddress).toList();
        ctx.check(reached.isEmpty(), "no connection accepted on " + others.stream()
                        .map(InetAddress::getHostAddress).toList() + " port " + s.port(),
                "accepted on " + reached);
    }

    @Then("a connection made as soon as the ready line appeared is served")
    public void servedAtOnce() {
        protocol.pingOnce(ctx.server(), "the first connection, made right after the ready line, is accepted and served");
    }

    @Then("the {word} server still serves")
    public void stillServes(String which) {
        ServerInstance s = which.equals("first") ? ctx.server() : ctx.instance(which + " server");
        ctx.check(s.isRunning(), "the " + which + " server is still running",
                "it exited with status " + s.current().exitStatus().orElse(-1));
        protocol.pingOnce(s, "the " + which + " server still answers PING");
    }

    @Then("the server still runs and serves")
    public void stillRunsAndServes() {
        ServerInstance s = ctx.server();
        ctx.check(s.isRunning(), "the server is still running",
                "it exited with status " + s.current().exitStatus().orElse(-1));
        protocol.pingOnce(s, "the server still answers PING");
    }

    @Then("the process the kit started is still running after a quiet period")
    public void stillRunningAfterQuiet() {
        ServerProcess p = servers.current();
        Duration quiet = ctx.settings().quietPeriod();
        try {
            await("the server process stays in the foreground").during(quiet).atMost(quiet.plusSeconds(1))
                    .pollInterval(Duration.ofMillis(20)).until(p::isAlive);
        } catch (ConditionTimeoutException e) {
            throw ctx.failure("the process the kit started keeps running in the foreground",
                    "it exited with status " + p.exitStatus().orElse(-1));
        }
    }

    @Then("nothing listens on the server's port any more")
    public void portClosed() {
        ServerInstance s = ctx.server();
        Duration quiet = ctx.settings().quietPeriod().multipliedBy(2);
        try {
            await("nothing listens on " + s.address()).during(quiet).atMost(quiet.plusSeconds(2))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !ServerProcess.canConnect(s.address()));
        } catch (ConditionTimeoutException e) {
            throw ctx.failure("nothing accepts connections on " + s.address() + " once the process has ended",
                    "a connection was accepted");
        }
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(h -> h.pid() == s.current().pid()).toList();
        ctx.check(left.isEmpty() || !left.get(0).isAlive(), "the server process has ended", "it is still alive");
    }

    @Then("connecting to {string} on the server's port is refused")
    public void refusedOn(String address) {
        ServerInstance s = ctx.server();
        boolean accepted = ServerProcess.canConnect(new InetSocketAddress(address, s.port()));
        ctx.check(!accepted, "no connection to " + address + ":" + s.port() + " is accepted",
                "a connection to " + address + ":" + s.port() + " was accepted");
    }

    @Then("connecting to {string} on the server's port is served")
    public void servedOn(String address) {
        ServerInstance s = ctx.server();
        InetSocketAddress a = new InetSocketAddress(address, s.port());
        ctx.check(ServerProcess.canConnect(a), "a connection to " + a + " is accepted", "the connect failed");
    }
}
