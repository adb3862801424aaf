package org.litsxg.server;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.litsxg.ExitCodes;
import org.litsxg.StartupException;

/**
 * The reference server wired together, and its start-up sequence (process contract): open the
 * data directory (lock) and the identity database, bind, print the ready line on stdout, then
 * run the event loop on the thread "litsxg-selector" until SIGTERM or SIGINT.
 *
 * <pre>
 *   EventLoop --accepts--> Connection --lines--> Session --SEND--> Router --MSG--> Connection
 *                                                   |
 *                                                   +--AUTH--> StoreAuthenticator (worker threads)
 *                                                                  --outcome--> EventLoop.execute
 * </pre>
 */
final class Server {
    private Server() {
    }

    /**
     * Starts and runs the server; blocks until it stops and returns the exit code of a clean
     * stop. Throws {@link StartupException} (exit 3) when it cannot start.
     */
    static int run(ServerConfig config, PrintStream stdout) throws Exception {
        Logger log = StderrLogging.logger();
        DataDirectory dir;
        try {
            dir = DataDirectory.open(config.dataDir());
        } catch (IOException e) {
            throw new StartupException(ExitCodes.CANNOT_START, "cannot use data directory: " + e.getMessage());
        }
        ExecutorService workers = null;
        SqliteNativeCache.use(log);
        try (dir; IdentityStore store = openStore(dir, config)) {
            Set<String> names;
            try {
                names = store.names();
            } catch (SQLException e) {
                throw new StartupException(ExitCodes.CANNOT_START, "cannot read " + dir.path().resolve(IdentityStore.FILE_NAME) + ": " + e.getMessage());
            }
            workers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), named("litsxg-auth-"));
            // SIGTERM and SIGINT are handled from before the socket listens: a client can
            // connect, and a supervisor can stop the server, from the moment of listen(), which
            // comes a moment before the ready line.
            StopOnSignal stop = new StopOnSignal();
            Signals.onTermOrInt(stop::ask);
            EventLoop loop = listen(config, log);
            stop.loopExists(loop);
            StoreAuthenticator authenticator = new StoreAuthenticator(store, workers, loop,
                    e -> Fatal.die(log, "identity store failed: " + e.getMessage(), e));
            Function<Transport, Session> sessions = sessions(config, names, authenticator, log);
            log.log(Level.INFO, "data directory " + dir.path() + ", " + names.size() + " identities");
            stdout.println(ReadyLine.text(config.bind(), loop.address()));
            stdout.flush();
            Thread selector = new Thread(() -> {
                try {
                    loop.run(sessions);
                } catch (IOException | RuntimeException | Error e) {
                    Fatal.die(log, "event loop failed: " + e, e);
                }
            }, "litsxg-selector");
            selector.setUncaughtExceptionHandler((t, e) -> Fatal.die(log, "event loop failed: " + e, e));
            selector.start();
            selector.join();
            log.log(Level.INFO, "stopped");
            return ExitCodes.OK;
        } finally {
            if (workers != null) {
                workers.shutdownNow();
            }
        }
    }

    /**
     * The session of each connection, all sharing one router that knows {@code names} (taken
     * over, not copied) and one authenticator. Used on the selector thread only.
     */
    static Function<Transport, Session> sessions(ServerConfig config, Set<String> names,
                                                 Authenticator authenticator, Logger log) {
        Router router = new Router(names, config.maxQueued(), config.maxPendingBytes());
        return connection -> new Session(connection, router, authenticator, log);
    }

    /** Binds the listening socket (the event loop's); blocks only for the bind. */
    private static EventLoop listen(ServerConfig config, Logger log) throws StartupException {
        if (new InetSocketAddress(config.bind(), config.port()).isUnresolved()) {
            // Spec PROC-21: a --bind name that does not resolve means the server cannot start.
            throw new StartupException(ExitCodes.CANNOT_START,
                    "cannot listen on " + config.bind() + ":" + config.port() + ": the address does not resolve");
        }
        try {
            return new EventLoop(config, log);
        } catch (IOException e) {
            String why = e instanceof BindException ? e.getMessage() : e.toString();
            throw new StartupException(ExitCodes.CANNOT_START,
                    "cannot listen on " + config.bind() + ":" + config.port() + ": " + why);
        }
    }

    private static IdentityStore openStore(DataDirectory dir, ServerConfig config) throws StartupException {
        try {
            return IdentityStore.open(dir.path(), config.pbkdf2Iterations());
        } catch (IOException e) {
            throw new StartupException(ExitCodes.CANNOT_START, e.getMessage());
        }
    }

    /**
     * Stops the loop on SIGTERM or SIGINT. A stop asked for before the loop exists is carried out
     * as soon as it does: the ready line is still printed and the loop returns at once (exit 0,
     * as for any stop).
     */
    private static final class StopOnSignal {
        private EventLoop loop;
        private boolean asked;

        synchronized void ask() {
            asked = true;
            if (loop != null) {
                loop.stop();
            }
        }

        synchronized void loopExists(EventLoop l) {
            loop = l;
            if (asked) {
                l.stop();
            }
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
