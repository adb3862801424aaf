package org.litsxg.conformance.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Whether something accepts TCP connections on an address: the kit's readiness probe. */
final class PortProbe {

    private PortProbe() {
    }

    /**
     * One TCP connect attempt, closed at once. Blocks at most one second. A connection to
     * itself does not count: while nothing listens on a loopback port, Linux lets a connect
     * whose ephemeral source port happens to equal that port succeed as a simultaneous open
     * with itself (the ports the kit picks come from the same ephemeral range).
     */
    static boolean canConnect(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return !isSelfConnection(s);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a connected socket is connected to itself (same address and port at both ends). */
    static boolean isSelfConnection(Socket s) {
        return s.getLocalPort() == s.getPort() && s.getLocalAddress().equals(s.getInetAddress());
    }
}
