package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;
import org.litsxg.server.WireLines.Reply;

/**
 * Coverage-guided fuzzing of {@link CommandParser}. Every line of the input (read once as UTF-8
 * and once as ISO-8859-1, so C1 controls and arbitrary code points appear too) is parsed, and:
 * parsing never throws; the result is exactly one of a command and an error; the error is
 * {@code unknown-command} or {@code syntax}, and it is the one an independent reading of the
 * brief's grammar expects; a command re-serialised gives back the very line, which parses to an
 * equal command. Seeds: {@code CommandParserFuzzTestInputs/}, one line per wire line.
 */
class CommandParserFuzzTest {
    private static final Set<String> WORDS = Set.of("AUTH", "SEND", "PING", "QUIT");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final Pattern SECRET = Pattern.compile("[^ \\p{Cc}]+");

    @DictionaryEntries({"AUTH ", "SEND ", "PING", "QUIT", " alice", " secret123", "\\x09", "\\xC2\\x85", "\\x0A"})
    @FuzzTest(maxDuration = "30s")
    void parsesEveryLineToOneCommandOrOneAllowedError(byte[] input) {
        for (String text : new String[] {
                new String(input, StandardCharsets.UTF_8), new String(input, StandardCharsets.ISO_8859_1)}) {
            for (String line : text.split("\n", -1)) {
                check(line);
            }
        }
    }

    static void check(String line) {
        CommandParser.Result result = CommandParser.parse(line);
        assertNotNull(result);
        assertTrue((result.command() == null) != (result.error() == null), "exactly one of command and error: " + result);
        Reply expected = expectedError(line);
        if (result.error() != null) {
            assertTrue(result.error().equals(Reply.ERR_UNKNOWN_COMMAND) || result.error().equals(Reply.ERR_SYNTAX),
                    "error code from the allowed set: " + result.error());
            assertEquals(expected, result.error(), "error for " + printable(line));
            return;
        }
        assertEquals(null, expected, "accepted " + printable(line));
        String wire = serialise(result.command());
        assertEquals(line, wire, "the grammar is canonical: re-serialising gives the line back");
        assertEquals(result.command(), CommandParser.parse(wire).command(), "re-parses to the same command");
    }

    static String serialise(Command command) {
        if (command instanceof Command.Auth a) {
            return "AUTH " + a.name() + " " + a.secret();
        }
        if (command instanceof Command.Send s) {
            return "SEND " + s.to() + " " + s.text();
        }
        if (command instanceof Command.Ping) {
            return "PING";
        }
        if (command instanceof Command.Quit) {
            return "QUIT";
        }
        return fail("unknown command type " + command);
    }

    /** The brief's grammar, read independently: null when the line is a well-formed command. */
    static Reply expectedError(String line) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        if (!WORDS.contains(word)) {
            return Reply.ERR_UNKNOWN_COMMAND;
        }
        if (word.equals("PING") || word.equals("QUIT")) {
            return space < 0 ? null : Reply.ERR_SYNTAX;
        }
        if (space < 0) {
            return Reply.ERR_SYNTAX;
        }
        String[] args = line.substring(space + 1).split(" ", word.equals("SEND") ? 2 : -1);
        if (args.length != 2 || !NAME.matcher(args[0]).matches()) {
            return Reply.ERR_SYNTAX;
        }
        if (word.equals("SEND")) {
            return args[1].isEmpty() ? Reply.ERR_SYNTAX : null;
        }
        int bytes = args[1].getBytes(StandardCharsets.UTF_8).length;
        boolean secretOk = SECRET.matcher(args[1]).matches() && bytes >= 8 && bytes <= 128;
        return secretOk ? null : Reply.ERR_SYNTAX;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c > 0x7E) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append('"').toString();
    }
}
