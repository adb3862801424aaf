package org.litsxg.conformance.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class SpecVersionTest {

    @Test
    void readsAVersionLineFromTheHeader() {
        assertEquals("1.1", SpecVersion.fromHeader("# Litsxg — normative specification\n\nVersion: 1.1\n\n## Conventions\n"));
        assertEquals("1.1", SpecVersion.fromHeader("# Litsxg\n\n**Version 1.1.**\n"));
        assertEquals("1.1", SpecVersion.fromHeader("# Litsxg\nSpec version 1.1 (2026-12-03)\n"));
    }

    @Test
    void aSpecWithoutAVersionIsUnversioned() {
        assertEquals(SpecVersion.UNVERSIONED, SpecVersion.fromHeader("# Litsxg\n\nText.\n\n## Conventions\nversion 9 is not the header\n"));
    }

    @Test
    void theBundledSpecGivesAnAnswer() {
        assertFalse(SpecVersion.bundled().isBlank());
    }
}
