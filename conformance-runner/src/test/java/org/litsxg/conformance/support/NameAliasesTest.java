package org.litsxg.conformance.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NameAliasesTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void renamesTheNameOfEveryWholeAuthAndSendLineAndNothingElse() {
        NameAliases a = NameAliases.random();
        String alice = a.out("alice");
        assertTrue(alice.matches("alice-[a-z0-9]{5}"), alice);
        assertEquals("AUTH " + alice + " pw-secret\nSEND " + a.out("bob") + " hi alice\r\nPING\nsend bob x\n",
                s(a.outgoing(b("AUTH alice pw-secret\nSEND bob hi alice\r\nPING\nsend bob x\n"), true)));
        assertEquals(alice, a.out(alice), "renaming is idempotent");
        assertEquals("AUTH Alice pw\nAUTH  alice pw\n", s(a.outgoing(b("AUTH Alice pw\nAUTH  alice pw\n"), true)),
                "invalid names go as written");
    }

    @Test
    void leavesPiecesOfSplitLinesAlone() {
        NameAliases a = NameAliases.random();
        assertEquals("AUTH ali", s(a.outgoing(b("AUTH ali"), true)), "an unterminated tail");
        assertEquals("ND bob x\nSEND " + a.out("bob") + " y\n", s(a.outgoing(b("ND bob x\nSEND bob y\n"), false)),
                "the rest of a line begun by an earlier write");
    }

    @Test
    void takesTheSuffixOffTheSenderOfReceivedMessagesOnly() {
        NameAliases a = NameAliases.random();
        assertEquals("MSG alice hello alice-x", s(a.incoming(b("MSG " + a.out("alice") + " hello alice-x"))));
        byte[] other = b("MSG carol hi");
        assertSame(other, a.incoming(other));
        assertEquals("OK delivered", s(a.incoming(b("OK delivered"))));
    }

    @Test
    void aNameOrLineThatCannotTakeTheSuffixMakesTheScenarioNotRun() {
        NameAliases a = NameAliases.random();
        assertThrows(Unimplemented.class, () -> a.out("n".repeat(27)));
        assertEquals("n".repeat(26) + a.out("x").substring(1), a.out("n".repeat(26)));
        String exact = "SEND bob " + "x".repeat(4096 - 9);
        assertThrows(Unimplemented.class, () -> a.outgoing(b(exact + "\n"), true));
        assertArrayEquals(b("AUTH " + "n".repeat(33) + " pw\n"), a.outgoing(b("AUTH " + "n".repeat(33) + " pw\n"), true),
                "an over-long name is invalid and goes as written");
    }

    @Test
    void noRenamingWhenTheKitStartedTheServer() {
        byte[] bytes = b("AUTH alice pw\n");
        assertSame(bytes, NameAliases.NONE.outgoing(bytes, true));
        assertEquals("alice", NameAliases.NONE.out("alice"));
        assertNotEquals(NameAliases.random().out("alice"), NameAliases.random().out("alice"), "two scenarios, two names");
    }
}
