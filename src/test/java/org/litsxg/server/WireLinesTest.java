package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.litsxg.server.WireLines.Reply;

class WireLinesTest {
    /** The brief's replies and error codes ("Replies", "Limits"), written out independently. */
    private static final Set<String> BRIEF = Set.of("OK registered", "OK authenticated", "OK delivered",
            "OK queued", "OK bye", "PONG", "ERR unknown-command", "ERR syntax", "ERR not-authenticated",
            "ERR already-authenticated", "ERR auth-failed", "ERR unknown-recipient", "ERR queue-full",
            "ERR bad-encoding", "ERR line-too-long", "ERR session-replaced", "ERR server-full",
            "ERR auth-timeout", "ERR slow-consumer");

    @Test
    void everyReplyIsTheBriefsTextThenLf() {
        assertEquals(new TreeSet<>(BRIEF),
                Arrays.stream(Reply.values()).map(Reply::text).collect(Collectors.toCollection(TreeSet::new)));
        for (Reply r : Reply.values()) {
            assertArrayEquals((r.text() + "\n").getBytes(StandardCharsets.US_ASCII), r.line(), r.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hi", "hi  there\t!", " ", "caf\u00e9", "\u00e9", "a\uD83D\uDE00b", "\u4e2d\u6587 text", "x\u0080y"})
    void aMsgLineIsMsgSenderTextAndLfInUtf8(String text) {
        assertArrayEquals(("MSG alice " + text + "\n").getBytes(StandardCharsets.UTF_8), WireLines.msg("alice", text));
    }

    @Test
    void theLongestMsgLineHasTheStatedLength() {
        String longestText = ".".repeat(LineFramer.MAX_LINE_BYTES - "SEND b ".length());
        byte[] line = WireLines.msg("a".repeat(CommandParser.MAX_NAME_CHARS), longestText);
        assertEquals(WireLines.MAX_MSG_LINE_BYTES, line.length);
    }
}
