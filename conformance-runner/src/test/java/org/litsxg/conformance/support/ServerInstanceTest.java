package org.litsxg.conformance.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ServerInstanceTest {
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /** The kernel's range as the shell reads it, to compare the kit's reading with. */
    private static int kernelLow() throws IOException {
        return Integer.parseInt(Files.readAllLines(RANGE).get(0).trim().split("\\s+")[0]);
    }

    @Test
    void readsTheEphemeralRangeOfTheKernel() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(RANGE), "no " + RANGE + " on this system");
        assertEquals(kernelLow(), ServerInstance.ephemeralLow());
    }

    /**
     * Ports are taken below the ephemeral range, where no client socket of the kit can hold
     * them, and never twice in one JVM (scenarios run in parallel).
     */
    @Test
    void freePortsAreBelowTheEphemeralRangeAndNeverHandedOutTwice() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(RANGE), "no " + RANGE + " on this system");
        int low = kernelLow();
        Assumptions.assumeTrue(low - 20000 > 1000, "the ephemeral range starts at " + low + ": no room below it");
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = ServerInstance.freePort();
            assertTrue(port >= 20000 && port < low, "port " + port + " below " + low);
            assertTrue(seen.add(port), "port " + port + " handed out twice");
        }
    }
}
