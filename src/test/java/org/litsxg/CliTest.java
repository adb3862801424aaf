package org.litsxg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Spec PROC-19: how the server's flags are written. */
class CliTest {

    private static CommandLine.ParseResult parse(String... args) {
        return Cli.commandLine(args[0]).parseArgs(args);
    }

    @Test
    void aFlagFollowedByAnotherOfTheServersFlagsHasNoValue() {
        assertThrows(CommandLine.ParameterException.class, () -> parse("server", "--data-dir", "--port", "1"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("server", "--port"));
    }

    @Test
    void anythingElseAfterAFlagIsItsValue() {
        CommandLine.ParseResult r = parse("server", "--data-dir", "--foo");
        assertEquals("--foo", r.subcommand().matchedOptionValue("--data-dir", null).toString());
    }

    @Test
    void theJoinedFormTakesAnyValue() {
        CommandLine.ParseResult r = parse("server", "--data-dir=--foo");
        assertEquals("--foo", r.subcommand().matchedOptionValue("--data-dir", null).toString());
    }

    @Test
    void aRepeatedFlagAndAPositionalArgumentAreBadUsage() {
        assertThrows(CommandLine.ParameterException.class, () -> parse("server", "--port", "1", "--port", "1"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("server", "extra"));
    }
}
