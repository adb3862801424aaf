package org.litsxg.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code litsxg client}: the operator client. It connects to a Litsxg server, directly or
 * through a SOCKS5 proxy such as Tor's SocksPort, sends the lines it reads on stdin, and prints
 * every line the server sends on stdout as it arrives (replies and {@code MSG} lines alike,
 * byte for byte). It knows nothing of the protocol beyond noticing that it sent {@code QUIT}.
 *
 * <p>Data flow: the calling thread connects (TCP connect, then the SOCKS5 handshake if
 * {@code --socks} is given, both within {@code --connect-timeout}), starts the daemon thread
 * {@code litsxg-client-stdin} that copies stdin to the socket line by line, and itself copies
 * the socket to stdout until the server closes the connection. At the end of stdin the sending
 * thread half-closes the socket (the server answers what it has and closes); the client then
 * exits 0. If {@code QUIT} was sent, it does not half-close but waits for the server to answer
 * and close: Tor ends a stream on a half-close, so {@code printf 'PING\nQUIT\n' | litsxg client
 * --socks ...} gets its replies through an onion service only this way. If the server closes first, the client exits 0 after a {@code QUIT}, and otherwise
 * reports {@code litsxg client: connection closed by server} on stderr and exits 1.
 *
 * <p>Exit codes: {@value #EXIT_OK} done, {@value #EXIT_CLOSED} connection closed by the server
 * or lost, {@value #EXIT_USAGE} bad usage (thrown as a picocli {@link ParameterException}),
 * {@value #EXIT_CANNOT_CONNECT} cannot connect (TCP or SOCKS5).
 */
@Command(name = "client",
        sortOptions = false,
        description = {
            "Connect to a Litsxg server, send the lines read on stdin, and print every line the "
                    + "server sends (replies and MSG lines) on stdout as it arrives.",
            "With --socks the server's host name is resolved by the proxy, so an .onion address "
                    + "works through Tor's SocksPort (e.g. --socks 127.0.0.1:9050).",
            "Exit status: 0 when stdin ended or QUIT was sent and the server closed, 1 when the "
                    + "server closed the connection otherwise, 2 bad usage, 3 cannot connect."
        })
public final class ClientCommand implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_CLOSED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_CANNOT_CONNECT = 3;

    /** Default bound on TCP connect plus SOCKS5 handshake; Tor may need a while for an onion. */
    public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 60;
    public static final int MAX_CONNECT_TIMEOUT_SECONDS = 3600;

    private static final String PREFIX = "litsxg client: ";

    @Spec
    private CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "host:port",
            converter = HostPortConverter.class,
            description = "The server to connect to: host:port, [ipv6]:port, or xyz.onion:port with --socks.")
    private HostPort server;

    @Option(names = "--socks", paramLabel = "host:port", converter = HostPortConverter.class,
            description = "Connect through this SOCKS5 proxy (no authentication), e.g. Tor's 127.0.0.1:9050.")
    private HostPort socks;

    @Option(names = "--connect-timeout", paramLabel = "seconds",
            defaultValue = "" + DEFAULT_CONNECT_TIMEOUT_SECONDS,
            description = "Give up connecting (TCP connect and SOCKS5 handshake together) after this "
                    + "many seconds, 1 to " + MAX_CONNECT_TIMEOUT_SECONDS + ". Default: ${DEFAULT-VALUE}.")
    private int connectTimeoutSeconds;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final InputStream stdin;
    private final PrintStream stdout;
    private final PrintStream stderr;

    private volatile boolean sentQuit;
    private volatile boolean stdinEnded;

    /** The command on the process's stdin, stdout and stderr. */
    public ClientCommand() {
        this(System.in, System.out, System.err);
    }

    /** The command on the given streams (for tests and embedding). */
    public ClientCommand(InputStream stdin, PrintStream stdout, PrintStream stderr) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Parses {@code --server}/{@code --socks} values; picocli turns the failure into a usage error. */
    public static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A connection attempt that failed; the message is the stderr line without the prefix. */
    private static final class CannotConnect extends Exception {
        private static final long serialVersionUID = 1L;

        CannotConnect(String message) {
            super(message);
        }
    }

    /**
     * Runs the session. Blocks until the server closes the connection (there is no idle
     * timeout), or for at most {@code --connect-timeout} if it cannot connect.
     *
     * @return the exit code
     * @throws ParameterException on bad usage (the caller prints it and exits 2)
     */
    @Override
    public Integer call() {
        if (connectTimeoutSeconds < 1 || connectTimeoutSeconds > MAX_CONNECT_TIMEOUT_SECONDS) {
            throw new ParameterException(spec.commandLine(), "--connect-timeout must be 1 to "
                    + MAX_CONNECT_TIMEOUT_SECONDS + " seconds, got " + connectTimeoutSeconds);
        }
        if (socks == null && server.host().toLowerCase(Locale.ROOT).matches(".*\\.onion\\.?")) {
            // RFC 7686: an .onion name is never looked up in the DNS.
            throw new ParameterException(spec.commandLine(), server.host()
                    + " is an onion address: reach it through Tor, e.g. --socks 127.0.0.1:9050");
        }
        sentQuit = false;
        stdinEnded = false;
        Socket socket;
        try {
            socket = connect();
        } catch (CannotConnect e) {
            stderr.println(PREFIX + e.getMessage());
            stderr.flush();
            return EXIT_CANNOT_CONNECT;
        }
        try (socket) {
            Thread sender = new Thread(() -> sendStdin(socket), "litsxg-client-stdin");
            sender.setDaemon(true); // may stay blocked on stdin after the server has closed
            sender.start();
            return printReceived(socket);
        } catch (IOException e) {
            return EXIT_CLOSED; // only from closing the socket, after the session ended
        }
    }

    private Socket connect() throws CannotConnect {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(connectTimeoutSeconds);
        HostPort first = socks == null ? server : socks;
        String firstName = socks == null ? server.toString() : "SOCKS5 proxy " + socks;
        InetSocketAddress address = new InetSocketAddress(first.host(), first.port());
        if (address.isUnresolved()) {
            throw new CannotConnect("cannot connect to " + firstName + ": unknown host " + first.host());
        }
        Socket socket = new Socket();
        try {
            socket.connect(address, (int) TimeUnit.SECONDS.toMillis(connectTimeoutSeconds));
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new CannotConnect("cannot connect to " + firstName + ": no answer within "
                    + connectTimeoutSeconds + " seconds");
        } catch (IOException e) {
            closeQuietly(socket);
            throw new CannotConnect("cannot connect to " + firstName + ": " + reason(e));
        }
        if (socks != null) {
            try {
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                socket.setSoTimeout((int) Math.max(1, remainingMillis));
                Socks5.connect(socket.getInputStream(), socket.getOutputStream(), socks, server);
                socket.setSoTimeout(0); // an authenticated session has no idle timeout
            } catch (Socks5.HandshakeException e) {
                closeQuietly(socket);
                throw new CannotConnect(e.getMessage());
            } catch (SocketTimeoutException e) {
                closeQuietly(socket);
                throw new CannotConnect("SOCKS5 proxy " + socks + " did not connect to " + server
                        + " within " + connectTimeoutSeconds + " seconds");
            } catch (IOException e) {
                closeQuietly(socket);
                throw new CannotConnect("SOCKS5 proxy " + socks + " failed during the handshake: " + reason(e));
            }
        }
        return socket;
    }

    /**
     * Copies stdin to the socket line by line (each line LF-terminated, flushed at its end;
     * a last line without LF gets one), notes a {@code QUIT} line before its terminator is
     * written, and half-closes the socket at the end of stdin. Runs on its own thread.
     */
    private void sendStdin(Socket socket) {
        try {
            InputStream in = new BufferedInputStream(stdin);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            byte[] start = new byte[5]; // enough to recognise "QUIT" and "QUIT\r"
            int length = 0;
            int b;
            while ((b = readStdin(in)) != -1) {
                if (b == '\n') {
                    endLine(out, start, length);
                    length = 0;
                } else {
                    if (length < start.length) {
                        start[length] = (byte) b;
                    }
                    length++;
                    out.write(b);
                }
            }
            if (length > 0) {
                endLine(out, start, length);
            }
            stdinEnded = true; // before the half-close, so the receiver sees it when the server closes
            if (!sentQuit) {
                socket.shutdownOutput();
            }
            // After QUIT the server answers and closes by itself. No half-close then: Tor does
            // not carry one, it ends the whole stream at once, and the replies would be lost.
        } catch (IOException e) {
            // Writing failed: the server closed or the connection broke; the receiver reports it.
            try {
                socket.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** One byte of stdin, or -1 at its end; a failing stdin counts as ended. */
    private static int readStdin(InputStream in) {
        try {
            return in.read();
        } catch (IOException e) {
            return -1;
        }
    }

    private void endLine(OutputStream out, byte[] start, int length) throws IOException {
        boolean quit = (length == 4 || (length == 5 && start[4] == '\r'))
                && start[0] == 'Q' && start[1] == 'U' && start[2] == 'I' && start[3] == 'T';
        if (quit) {
            sentQuit = true; // before the server can see the complete line
        }
        out.write('\n');
        out.flush();
    }

    /** Copies the socket to stdout as bytes arrive, until the server closes; returns the exit code. */
    private int printReceived(Socket socket) {
        byte[] buffer = new byte[8192];
        int last = '\n';
        IOException failure = null;
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    stdout.write(buffer, 0, n);
                    stdout.flush();
                    last = buffer[n - 1];
                }
            }
        } catch (IOException e) {
            failure = e;
        }
        if (last != '\n') {
            stdout.write('\n'); // an unterminated last fragment still ends its line
        }
        stdout.flush();
        if (sentQuit || (failure == null && stdinEnded)) {
            return EXIT_OK;
        }
        stderr.println(PREFIX + (failure == null
                ? "connection closed by server"
                : "connection lost: " + reason(failure)));
        stderr.flush();
        return EXIT_CLOSED;
    }

    private static String reason(IOException e) {
        String message = e.getMessage();
        return message == null || message.isBlank()
                ? e.getClass().getSimpleName()
                : message.replace('\n', ' ').replace('\r', ' ');
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
