package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.WireClient;

/**
 * STORE-3 under load: registrations answered just before a SIGKILL must survive it.
 */
public final class StoreCrashSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    /** Names answered (first byte of the reply received) before a kill, by cycle, in order. */
    private final List<String> acknowledged = new ArrayList<>();
    private final List<String> crashLog = new ArrayList<>();

    public StoreCrashSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    /** One registration on a connection of its own, read byte by byte. */
    private final class Registration implements Runnable {
        final String name;
        final String secret;
        final Socket socket;
        final CountDownLatch go;
        final IntConsumer onFirstByte;
        volatile int firstByte = -1;
        volatile String line = "";

        Registration(String name, CountDownLatch go, IntConsumer onFirstByte)
                throws IOException {
            this.name = name;
            this.secret = secrets.secret(name); // on the step thread: the context is not thread-safe
            this.go = go;
            this.onFirstByte = onFirstByte;
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(ctx.server().address(), (int) ctx.settings().replyTimeout().toMillis());
            socket.setSoTimeout((int) ctx.settings().replyTimeout().toMillis());
        }

        @Override
        public void run() {
            try (socket) {
                go.await();
                socket.getOutputStream().write(("AUTH " + name + " " + secret + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                InputStream in = socket.getInputStream();
                int b = in.read();
                if (b < 0) {
                    return;
                }
                firstByte = b;
                onFirstByte.accept(b);
                StringBuilder sb = new StringBuilder().append((char) b);
                while ((b = in.read()) >= 0 && b != '\n') {
                    sb.append((char) b);
                }
                line = sb.toString();
            } catch (IOException | InterruptedException e) {
                // The kill ends the connection; what arrived before it is what counts.
            }
        }
    }

    /**
     * STORE-3 under load: in each cycle {@code perCycle} new names register at once, each on a
     * connection of its own, while two online names exchange messages; the server is killed
     * (SIGKILL to its process tree, no lookup in between) from the kit's reading thread as soon
     * as the first byte of the k-th reply arrives, k = 1 in the first cycle and later at other
     * moments (a third, two thirds, the last of the cycle); then it is started again on the same
     * data directory. Every name whose reply began with 'O' was answered {@code OK registered}
     * (a fresh name) and is remembered.
     */
    @When("{int} times, {int} new names register at once while others exchange messages, and the server process is"
            + " killed as soon as the first byte of a reply arrives, then started again")
    public void registrationsUnderCrashes(int cycles, int perCycle) throws Exception {
        int[] moments = {1, Math.max(1, perCycle / 3), Math.max(1, 2 * perCycle / 3), perCycle};
        for (int cycle = 0; cycle < cycles; cycle++) {
            long t0 = System.nanoTime();
            ServerInstance server = servers.running();
            var process = server.current();
            // Two names online exchanging messages: other work in flight at the kill.
            String a = "chat" + cycle + "a";
            String b = "chat" + cycle + "b";
            WireClient ca = clients.connect(a);
            protocol.authenticate(ca, "OK registered");
            acknowledged.add(a);
            WireClient cb = clients.connect(b);
            protocol.authenticate(cb, "OK registered");
            acknowledged.add(b);
            List<ProcessHandle> tree = process.processTree();
            int killAt = moments[cycle % moments.length];
            AtomicInteger replies = new AtomicInteger();
            AtomicLong killedAt = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            IntConsumer onFirstByte = x -> {
                if (replies.incrementAndGet() == killAt && killedAt.compareAndSet(0, System.nanoTime())) {
                    tree.forEach(ProcessHandle::destroyForcibly);
                }
            };
            List<Registration> regs = new ArrayList<>();
            for (int i = 0; i < perCycle; i++) {
                regs.add(new Registration("crash" + cycle + "n" + i, go, onFirstByte));
            }
            List<Thread> threads = regs.stream().map(r -> new Thread(r, "store3-" + r.name)).toList();
            threads.forEach(Thread::start);
            Thread chatter = new Thread(() -> {
                try {
                    for (int i = 0; i < 10_000 && process.isAlive(); i++) {
                        ca.sendBytes(("SEND " + b + " in flight " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException | RuntimeException ended) {
                    // The kill ends it.
                }
            }, "store3-chatter");
            chatter.start();
            go.countDown();
            for (Thread t : threads) {
                t.join(ctx.settings().replyTimeout().multipliedBy(2).toMillis());
            }
            chatter.join(ctx.settings().replyTimeout().toMillis());
            if (killedAt.get() == 0) {
                tree.forEach(ProcessHandle::destroyForcibly);
            }
            process.kill();
            int acks = 0;
            for (Registration r : regs) {
                if (r.firstByte == 'O') {
                    acknowledged.add(r.name);
                    acks++;
                }
            }
            crashLog.add("cycle " + (cycle + 1) + ": killed at the first byte of reply " + killAt + " of " + perCycle
                    + "; replies begun " + acks + " (complete lines: " + regs.stream().filter(r -> r.line.startsWith(
                            "OK registered")).count() + ", " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
            ca.close();
            cb.close();
            servers.start(server);
        }
        ctx.scenario().log("STORE-3 crashes: " + String.join("; ", crashLog));
    }

    @Then("every name whose {string} began to arrive before a kill can authenticate with its secret")
    public void everyAcknowledgedNameSurvives(String reply) {
        long t0 = System.nanoTime();
        List<String> lost = new ArrayList<>();
        for (String name : acknowledged) {
            Received r = protocol.authOnNewConnection(name, secrets.secret(name));
            if (!(r instanceof Received.Line l && l.firstTokens(2).equals("OK authenticated"))) {
                lost.add(name + " (" + r + ")");
            }
        }
        ctx.scenario().log("STORE-3: " + acknowledged.size() + " names checked in " + (System.nanoTime() - t0) / 1_000_000
                + " ms");
        ctx.check(!acknowledged.isEmpty(), "some replies began before the kills", "none did: " + crashLog);
        ctx.check(lost.isEmpty(), "each of the " + acknowledged.size() + " names whose \"" + reply + "\" had begun to"
                + " arrive when the server was killed authenticates after the restart (" + String.join("; ", crashLog)
                + ")", lost.size() + " lost: " + lost);
    }
}
