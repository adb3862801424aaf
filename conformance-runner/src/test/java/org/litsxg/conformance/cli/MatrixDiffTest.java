package org.litsxg.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatrixDiffTest {

    @Test
    void sameLinesGiveNoDifference() {
        assertEquals(List.of(), MatrixDiff.lines(List.of("name alice", "  < OK registered"), List.of("name alice", "  < OK registered")));
    }

    @Test
    void onlyTheLinesOutsideTheCommonSubsequenceAreListed() {
        List<String> ref = List.of("name alice", "  > AUTH alice s3cret", "  < OK registered", "  < PONG");
        List<String> other = List.of("name alice", "  > AUTH alice s3cret", "  < OK registered welcome", "  < PONG");
        assertEquals(List.of("-   < OK registered", "+   < OK registered welcome"), MatrixDiff.lines(ref, other));
        assertEquals(List.of("+ extra"), MatrixDiff.lines(List.of("a"), List.of("a", "extra")));
        assertEquals(List.of("- gone"), MatrixDiff.lines(List.of("gone", "a"), List.of("a")));
    }

    @Test
    void runsOfLinesThatDifferOnlyInTheirNumbersAreCounted() {
        List<String> b = new ArrayList<>(List.of("x"));
        for (int i = 10; i < 20; i++) {
            b.add("  > SEND peer probe " + i);
        }
        assertEquals(List.of("+   > SEND peer probe 10", "  ... 8 more lines like it ...", "+   > SEND peer probe 19"),
                MatrixDiff.lines(List.of("x"), b));
    }

    @Test
    void aLongDifferenceIsCapped() {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            a.add("old " + (char) ('a' + i % 26) + i % 2);
            b.add("new " + (char) ('a' + i % 26) + i % 2);
        }
        List<String> d = MatrixDiff.lines(a, b);
        assertEquals(MatrixDiff.MAX_LINES + 1, d.size());
        assertEquals("... 400 more differing lines", d.get(d.size() - 1));
    }
}
