package org.litsxg.conformance.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandTemplateTest {

    @Test
    void splitsLikeAShellWithoutExpanding() {
        assertEquals(List.of("a", "b c", "d'e", "f\"g", "$HOME", "h i"),
                CommandTemplate.split("a 'b c' \"d'e\" f\\\"g $HOME h\\ i"));
    }

    @Test
    void substitutesPlaceholdersInsideWords() {
        CommandTemplate t = CommandTemplate.parse("env X=1 srv --port={port} --data-dir {data_dir}");
        assertEquals(List.of("env", "X=1", "srv", "--port=7", "--data-dir", "/tmp/a b"),
                t.render(Map.of("port", "7", "data_dir", "/tmp/a b")));
        assertTrue(t.has("port"));
        assertFalse(t.has("auth_timeout"));
    }

    @Test
    void refusesUnknownPlaceholdersAndOpenQuotes() {
        assertThrows(IllegalArgumentException.class, () -> CommandTemplate.parse("srv {nope}"));
        assertThrows(IllegalArgumentException.class, () -> CommandTemplate.parse("srv 'open"));
        assertThrows(IllegalArgumentException.class, () -> CommandTemplate.parse("   "));
    }

    @Test
    void namesTheFlagOfAPlaceholderAndJoinsItWithItsValue() {
        CommandTemplate t = CommandTemplate.parse("srv --bind {bind} --port={port} --data-dir {data_dir}");
        assertEquals("--bind", t.flagOf("bind").orElseThrow());
        assertEquals("--port", t.flagOf("port").orElseThrow());
        assertTrue(t.flagOf("auth_timeout").isEmpty());
        assertEquals(List.of("srv", "--bind", "b", "--port=1", "--data-dir=d"),
                t.joined("data_dir").orElseThrow().render(Map.of("bind", "b", "port", "1", "data_dir", "d")));
        assertEquals(List.of("srv", "--bind", "b", "--port=1", "--data-dir", "d"),
                t.joined("port").orElseThrow().render(Map.of("bind", "b", "port", "1", "data_dir", "d")));
        assertTrue(t.joined("auth_timeout").isEmpty());
    }

    @Test
    void leavesOutAFlagWithItsValue() {
        CommandTemplate t = CommandTemplate.parse("srv --bind {bind} --port={port} --data-dir {data_dir}");
        assertEquals(List.of("srv", "--port=1", "--data-dir", "d"),
                t.without("bind").orElseThrow().render(Map.of("port", "1", "data_dir", "d")));
        assertEquals(List.of("srv", "--bind", "b", "--data-dir", "d"),
                t.without("port").orElseThrow().render(Map.of("bind", "b", "data_dir", "d")));
        assertTrue(t.without("log_level").isEmpty());
    }
}
