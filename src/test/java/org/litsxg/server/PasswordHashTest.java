package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;

/** The server's PBKDF2-HMAC-SHA256 against the JDK's, and the rows of earlier builds. */
class PasswordHashTest {
    private static final String ALPHABET = "abcXYZ019!~äöüßéñ€漢字🙂";

    /** The JDK's PBKDF2 of a valid UTF-8 byte string (the JDK encodes the chars as UTF-8). */
    private static byte[] jdk(byte[] utf8, byte[] salt, int iterations, int keyBytes) throws Exception {
        return jdkChars(new String(utf8, StandardCharsets.UTF_8).toCharArray(), salt, iterations, keyBytes);
    }

    private static byte[] jdkChars(char[] chars, byte[] salt, int iterations, int keyBytes) throws Exception {
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(chars, salt, iterations, keyBytes * 8)).getEncoded();
    }

    private static String randomSecret(Random random, int maxChars) {
        StringBuilder b = new StringBuilder();
        int n = 1 + random.nextInt(maxChars);
        for (int i = 0; i < n; i++) {
            b.appendCodePoint(ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0, random.nextInt(ALPHABET.codePointCount(0, ALPHABET.length())))));
        }
        return b.toString();
    }

    @Test
    void derivesWhatTheJdkDerivesForAnySecretSaltCostAndLength() throws Exception {
        Random random = new Random(8018);
        int[] costs = {1, 2, 3, 1000};
        int[] lengths = {1, 20, 32, 33, 64};
        for (int round = 0; round < 150; round++) {
            // up to 40 chars of up to 4 bytes each: keys shorter and longer than SHA-256's 64-byte block
            byte[] password = randomSecret(random, 40).getBytes(StandardCharsets.UTF_8);
            byte[] salt = new byte[1 + random.nextInt(40)];
            random.nextBytes(salt);
            int cost = costs[round % costs.length];
            int length = lengths[random.nextInt(lengths.length)];
            assertArrayEquals(jdk(password, salt, cost, length), PasswordHash.derive(password, salt, cost, length),
                    () -> "password of " + password.length + " bytes, salt " + salt.length + ", cost " + cost);
        }
    }

    @Test
    void hashesTheSecretsUtf8BytesAndVerifiesIt() throws Exception {
        for (String secret : new String[] {"correct-horse", "pässwörd-€", "🙂🙂🙂🙂"}) {
            PasswordHash.Hashed h = PasswordHash.create(secret, 1000);
            assertArrayEquals(jdk(secret.getBytes(StandardCharsets.UTF_8), h.salt(), 1000, 32), h.hash(), secret);
            assertTrue(PasswordHash.verify(secret, h), secret);
            assertFalse(PasswordHash.verify(secret + "x", h), secret);
            assertFalse(PasswordHash.verify(secret.toUpperCase(java.util.Locale.ROOT) + "Q", h), secret);
        }
    }

    @Test
    void verifiesRowsThatEarlierBuildsWroteForNonAsciiSecrets() throws Exception {
        String secret = "pässwörd-€";
        byte[] salt = new byte[16];
        new Random(1).nextBytes(salt);
        // exactly what builds before 2026-11-22 stored: the UTF-8 bytes handed over as ISO-8859-1 chars
        char[] asLatin1 = new String(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1).toCharArray();
        PasswordHash.Hashed old = new PasswordHash.Hashed(PasswordHash.ALGORITHM, 1000, salt, jdkChars(asLatin1, salt, 1000, 32));
        assertTrue(PasswordHash.verify(secret, old));
        assertFalse(PasswordHash.verify("passwoerd-€", old));
        byte[] ascii = "plain-ascii".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(ascii, PasswordHash.legacyPassword(ascii), "ASCII secrets were hashed right all along");
    }
}
