package org.litsxg;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {

    /**
     * A server started with plain flags must not load picocli (its classes cannot be archived
     * for class-data sharing, and loading them costs every start): Main's class file names no
     * picocli type, so verifying and running Main never resolves one.
     */
    @Test
    void mainNamesNoPicocliType() throws IOException {
        try (InputStream in = Main.class.getResourceAsStream("Main.class")) {
            assertNotNull(in);
            String constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertFalse(constants.contains("picocli/"), "Main.class refers to picocli");
        }
    }
}
