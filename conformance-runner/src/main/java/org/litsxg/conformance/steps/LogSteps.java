package org.litsxg.conformance.steps;

import static org.awaitility.Awaitility.await;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.litsxg.conformance.report.Json;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.WireClient;

/** Steps about what the server writes on stdout and stderr. */
public final class LogSteps {

    private static final Pattern KEY_VALUE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*=(\"[^\"]*\"|\\S*)");

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private int stderrMark = -1;
    private final List<Integer> clientPorts = new ArrayList<>();

    public LogSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    private ServerProcess process() {
        return ctx.server().current();
    }

    /**
     * Waits until the server's stderr has not grown for a quiet period (lines it writes a moment
     * after an event, such as start-up lines after the ready line). A build that never stops
     * writing is waited for at most a reply timeout more, and the check that follows judges
     * what it wrote.
     */
    private void awaitQuietStderr() {
        Duration quiet = ctx.settings().quietPeriod();
        int[] seen = {-1};
        try {
            await("the server's stderr quiet for " + quiet.toMillis() + " ms").during(quiet)
                    .atMost(quiet.plus(ctx.settings().replyTimeout())).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        int now = process().stderr().bytes().length;
                        boolean same = now == seen[0];
                        seen[0] = now;
                        return same;
                    });
        } catch (ConditionTimeoutException stillWriting) {
            // The check that follows sees every line it wrote.
        }
    }

    private void stop() {
        if (ctx.server().isRunning()) {
            servers.stop(ctx.server());
        }
    }

    @Given("the server is running with its most verbose log level")
    public void mostVerbose() {
        if (ctx.settings().server().has("log_level")) {
            ctx.server().set("log_level", "debug");
            ctx.observe("log level debug");
        } else {
            ctx.observe("the build's command line sets no log level; its default applies");
        }
        servers.running();
    }

    @Then("after a stop the server's stdout is exactly its ready line")
    public void stdoutAfterStop() {
        stop();
        List<String> lines = process().stdout().lines();
        String expected = ReadyLine.PREFIX + ReadyLine.literal(ctx.server().bind()) + ":" + ctx.server().port();
        ctx.check(lines.equals(List.of(expected)), "stdout holds exactly one line: " + expected, "stdout: " + lines);
    }

    @Then("every stderr line is plain UTF-8 text")
    public void plainStderr() {
        byte[] bytes = process().stderr().bytes();
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean utf8 = Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes);
        List<String> bad = new ArrayList<>();
        for (String line : process().stderr().lines()) {
            if (line.codePoints().anyMatch(c -> c != '\t' && Character.getType(c) == Character.CONTROL)) {
                bad.add(line);
            }
        }
        ctx.check(utf8 && bad.isEmpty(), "stderr is UTF-8 text lines with no control character but TAB",
                (utf8 ? "" : "stderr is not valid UTF-8; ") + (bad.isEmpty() ? "" : "lines with control characters: "
                        + bad));
    }

    @Then("after a stop no stderr line is a JSON value or a key=value record")
    public void noStructured() {
        stop();
        List<String> structured = new ArrayList<>();
        for (String line : process().stderr().lines()) {
            String t = line.trim();
            if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
                try {
                    Json.read(t);
                    structured.add(line);
                    continue;
                } catch (RuntimeException notJson) {
                    // Not JSON: plain text that happens to use brackets.
                }
            }
            String rest = KEY_VALUE.matcher(t).replaceAll("").trim();
            long pairs = KEY_VALUE.matcher(t).results().count();
            if (pairs >= 3 && rest.isEmpty()) {
                structured.add(line);
            }
        }
        ctx.check(structured.isEmpty(), "no stderr line is a JSON value or a line of key=value pairs only",
                "structured lines: " + structured);
    }

    @When("{conn} authenticates {int} times on new connections")
    public void authenticatesTimes(String label, int times) {
        for (int i = 1; i <= times; i++) {
            WireClient c = clients.connect(label + "#again-" + i);
            protocol.authenticate(c, "OK authenticated");
            c.close();
        }
    }

    @Given("the server has been restarted")
    public void hasBeenRestarted() {
        servers.stop(ctx.server());
        servers.recordStoreBefore("restart");
        servers.start(ctx.server());
    }

    @When("{int} clients connect, ping and quit while the kit counts the server's stderr lines")
    public void clientsWhileCounting(int n) {
        servers.running();
        // Start-up lines may follow the ready line; let them come before counting.
        awaitQuietStderr();
        stderrMark = process().stderr().lines().size();
        for (int i = 1; i <= n; i++) {
            WireClient c = clients.connect("visitor-" + i);
            clientPorts.add(c.localPort());
            clients.sendLine(c, "PING");
            protocol.expectReply(c, "PONG");
            clients.sendLine(c, "QUIT");
            protocol.expectReply(c, "OK bye");
            protocol.expectClosed(c);
        }
    }

    @When("{conn} sends {word} {int} messages while the kit counts the server's stderr lines")
    public void messagesWhileCounting(String label, String recipient, int n) {
        awaitQuietStderr();
        stderrMark = process().stderr().lines().size();
        for (WireClient c : clients.clients()) {
            clientPorts.add(c.localPort());
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append("SEND ").append(recipient).append(' ')
                    .append(secrets.nextNumberedText(Clients.nameOf(label), recipient)).append('\n');
        }
        clients.send(clients.client(label), out.toString().getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < n; i++) {
            protocol.expectReply(clients.client(label), "OK delivered");
        }
    }

    @Then("the server's stderr did not grow and names no client port")
    public void stderrDidNotGrow() {
        // Lines about the clients may come a little after them: stderr must stay as it was for a
        // quiet period (a line that comes ends the watch; the check below then names it).
        Duration quiet = ctx.settings().quietPeriod();
        try {
            await("no stderr line for " + quiet.toMillis() + " ms after the clients").during(quiet)
                    .atMost(quiet.plusSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> process().stderr().lines().size() <= stderrMark);
        } catch (ConditionTimeoutException grew) {
            // Judged below, with the lines that came.
        }
        List<String> lines = process().stderr().lines();
        List<String> added = lines.subList(Math.min(stderrMark, lines.size()), lines.size());
        List<String> naming = new ArrayList<>();
        for (String l : lines) {
            for (int port : clientPorts) {
                if (Pattern.compile("(?<![0-9])" + port + "(?![0-9])").matcher(l).find()) {
                    naming.add(l);
                }
            }
        }
        ctx.check(added.isEmpty() && naming.isEmpty(), "no stderr line per connection, command or message, and none"
                        + " naming a client port " + clientPorts,
                (added.isEmpty() ? "" : "new stderr lines: " + added + " ") + (naming.isEmpty() ? ""
                        : "lines naming a client port: " + naming));
    }

    @Then("the kit records the server's stderr after a stop")
    public void recordStderr() {
        stop();
        List<String> lines = process().stderr().lines();
        ctx.observe(lines.size() + " stderr lines: " + String.join(" | ", lines));
    }

    @Then("the kit records whether message text appears on stderr")
    public void recordPlaintext() {
        awaitQuietStderr();
        String stderr = new String(process().stderr().bytes(), StandardCharsets.UTF_8);
        List<String> shown = secrets.messageTexts().stream().filter(stderr::contains).toList();
        ctx.observe(shown.isEmpty() ? "no message text appears on stderr"
                : "message text appears on stderr (the documented plaintext caveat): " + shown);
    }

    @Then("after a stop no stderr line holds any secret the clients sent")
    public void noSecretLogged() {
        stop();
        String stderr = new String(process().stderr().bytes(), StandardCharsets.UTF_8);
        List<String> shown = secrets.secrets().values().stream().distinct().filter(stderr::contains).toList();
        ctx.check(shown.isEmpty(), "no secret on stderr (secrets sent: " + secrets.secrets().values().stream().distinct()
                .toList() + ")", "stderr holds " + shown);
    }
}
