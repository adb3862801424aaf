package org.litsxg.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code litsxg bench hold} (hidden): one generator process of {@code bench scale}. Opens and
 * registers {@code --count} idle connections from {@code --source}, prints
 * {@code registered <n>}, then obeys lines on stdin: {@code ping} (probe every connection, print
 * {@code pong <n>}) and {@code quit}. It exits by itself when stdin closes or after
 * {@code --lifetime} seconds, whichever comes first.
 */
@Command(name = "hold", hidden = true, description = "One connection-holding process of bench scale.")
public final class HoldWorker implements Callable<Integer> {
    @Option(names = "--dialect", required = true, description = "litsxg or irc.")
    String dialect;

    @Option(names = "--server", required = true, paramLabel = "HOST:PORT")
    String server;

    @Option(names = "--count", required = true)
    int count;

    @Option(names = "--prefix", required = true, description = "Client names are this prefix and a number.")
    String prefix;

    @Option(names = "--source", description = "Local address to connect from (default: the system's choice).")
    String source;

    @Option(names = "--window", description = "Registrations in flight at most.")
    int window = LoadEngine.REGISTER_WINDOW;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Bound on registering and on each probe.")
    int timeoutSeconds = 300;

    @Option(names = "--lifetime", paramLabel = "SECONDS", description = "Exit after this long whatever happens.")
    int lifetimeSeconds = 900;

    @Override
    public Integer call() throws Exception {
        Thread reaper = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(lifetimeSeconds));
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("lifetime over");
            System.out.flush();
            Runtime.getRuntime().halt(BenchMain.FAILED);
        }, "hold-lifetime");
        reaper.setDaemon(true);
        reaper.start();
        Dialect p = dialect.equalsIgnoreCase("irc") ? Dialect.IRC : Dialect.LITSXG;
        int colon = server.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)));
        List<InetAddress> sources = source == null ? List.of() : List.of(InetAddress.getByName(source));
        try (LoadEngine engine = new LoadEngine(p, 64, prefix)) {
            long registered;
            try {
                registered = engine.connect(address, count, sources, window, timeoutSeconds);
            } catch (java.io.IOException e) {
                System.out.println("registered " + engine.registered() + " (stopped: " + e.getMessage() + ")");
                System.out.flush();
                registered = engine.registered();
            }
            System.out.println("registered " + registered);
            if (!engine.firstErrors().isEmpty()) {
                System.out.println("errors " + engine.firstErrors());
            }
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("ping")) {
                    System.out.println("pong " + engine.pingAll(timeoutSeconds));
                    System.out.flush();
                } else if (line.equals("quit")) {
                    break;
                }
            }
        }
        return BenchMain.OK;
    }
}
