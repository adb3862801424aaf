package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.litsxg.server.WireLines.Reply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandParserTest {
    private static Reply error(String line) {
        return CommandParser.parse(line).error();
    }

    private static Command command(String line) {
        CommandParser.Result r = CommandParser.parse(line);
        assertEquals(null, r.error(), "unexpected error for " + line);
        return r.command();
    }

    @Test
    void parsesTheFourCommands() {
        assertEquals(new Command.Ping(), command("PING"));
        assertEquals(new Command.Quit(), command("QUIT"));
        assertEquals(new Command.Auth("alice", "secret123"), command("AUTH alice secret123"));
        assertEquals(new Command.Send("bob", "hello there"), command("SEND bob hello there"));
    }

    @Test
    void sendTextIsTheRestOfTheLineWithItsSpacesAndTabs() {
        assertEquals(new Command.Send("bob", "  a\tb  "), command("SEND bob   a\tb  "));
        assertEquals(new Command.Send("bob", " "), command("SEND bob  "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"VERSION", "CAP LS", "STARTTLS", "HELP", "LIST", "ping", "Auth a b", " PING", "PING\t", "WHO"})
    void unknownWordsAreUnknownCommands(String line) {
        assertEquals(Reply.ERR_UNKNOWN_COMMAND, error(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "PING ", "QUIT now", "AUTH", "AUTH ", "AUTH alice", "AUTH alice ", "AUTH  alice secret123",
        "AUTH alice secret123 ", "AUTH alice short", "AUTH Alice secret123", "AUTH _alice secret123",
        "AUTH alice secret\t123", "SEND", "SEND bob", "SEND bob ", "SEND  bob hi", "SEND Bob hi"
    })
    void malformedArgumentsAreSyntaxErrors(String line) {
        assertEquals(Reply.ERR_SYNTAX, error(line));
    }

    @Test
    void namesFollowTheirGrammarAndLength() {
        assertTrue(CommandParser.isValidName("a"));
        assertTrue(CommandParser.isValidName("0-a_b"));
        assertTrue(CommandParser.isValidName("a".repeat(32)));
        assertFalse(CommandParser.isValidName("a".repeat(33)));
        assertFalse(CommandParser.isValidName(""));
        assertFalse(CommandParser.isValidName("-a"));
        assertFalse(CommandParser.isValidName("a.b"));
        assertFalse(CommandParser.isValidName("\u00e9"));
    }

    @Test
    void secretsAreCountedInUtf8Bytes() {
        assertTrue(CommandParser.isValidSecret("12345678"));
        assertFalse(CommandParser.isValidSecret("1234567"));
        assertTrue(CommandParser.isValidSecret("x".repeat(128)));
        assertFalse(CommandParser.isValidSecret("x".repeat(129)));
        assertTrue(CommandParser.isValidSecret("\u00e9\u00e9\u00e9\u00e9"), "4 characters, 8 bytes");
        assertFalse(CommandParser.isValidSecret("\u00e9".repeat(65)), "65 characters, 130 bytes");
    }

    @Test
    void secretsNeverShowInToString() {
        assertFalse(command("AUTH alice hunter2hunter2").toString().contains("hunter2"));
    }
}
