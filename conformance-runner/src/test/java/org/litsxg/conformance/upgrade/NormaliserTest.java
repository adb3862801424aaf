package org.litsxg.conformance.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class NormaliserTest {
    private static String transcript(String port, String secret, String reply) {
        return "   0.185 alice * connected to /127.0.0.1:" + port + " from local port 43732\n"
                + "   0.187 alice > PING\\nAUTH alice " + secret + "\\nPING\\n\n"
                + "   0.195 alice < PONG\n"
                + "   0.243 alice < " + reply + "\n"
                + "   0.243 alice < PONG\n"
                + "   0.248 alice * kit closes the connection\n";
    }

    @Test
    void twoRunsThatDifferOnlyInTheScenariosTokenAndPortAreTheSame() {
        assertEquals(Normaliser.normalise("alice", transcript("29297", "pw-alice-K7s5vvn33e", "OK registered")).lines(),
                Normaliser.normalise("alice", transcript("40001", "pw-alice-K7kfmp7qgq", "OK registered")).lines());
    }

    @Test
    void anotherSecretIsADifference() {
        String a = transcript("29297", "pw-alice-K7s5vvn33e", "OK registered");
        assertNotEquals(Normaliser.normalise("alice", a).lines(),
                Normaliser.normalise("alice", transcript("29297", "pw-bob-K7s5vvn33e", "OK registered")).lines());
        assertNotEquals(Normaliser.normalise("alice", a).lines(),
                Normaliser.normalise("alice", transcript("29297", "pw-alice-K7s5vvn33e-x", "OK registered")).lines());
    }
}
