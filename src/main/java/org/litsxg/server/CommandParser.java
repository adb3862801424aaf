package org.litsxg.server;

import java.nio.charset.StandardCharsets;
import org.litsxg.server.WireLines.Reply;

/**
 * Parses one decoded, non-empty line into a {@link Command} or an error reply, applying the
 * first two checks of the brief's order: is the command word known ({@code unknown-command}),
 * are its arguments well-formed ({@code syntax}). State checks belong to {@link Session}.
 * Stateless and thread-safe.
 */
final class CommandParser {
    static final int MAX_NAME_CHARS = 32;
    static final int MIN_SECRET_BYTES = 8;
    static final int MAX_SECRET_BYTES = 128;

    /** Either a command or the error to answer with. */
    record Result(Command command, Reply error) {
        static Result of(Command command) {
            return new Result(command, null);
        }

        static Result error(Reply error) {
            return new Result(null, error);
        }
    }

    private CommandParser() {
    }

    static Result parse(String line) {
        int space = line.indexOf(' ');
        int wordLength = space < 0 ? line.length() : space;
        // Every command word has 4 letters: compared in place, without a substring per line.
        if (wordLength == 4) {
            if (line.startsWith("SEND")) {
                return parseSend(line, space);
            }
            if (line.startsWith("PING")) {
                return space < 0 ? Result.of(new Command.Ping()) : Result.error(Reply.ERR_SYNTAX);
            }
            if (line.startsWith("QUIT")) {
                return space < 0 ? Result.of(new Command.Quit()) : Result.error(Reply.ERR_SYNTAX);
            }
            if (line.startsWith("AUTH")) {
                return parseAuth(space < 0 ? null : line.substring(space + 1));
            }
        }
        return Result.error(Reply.ERR_UNKNOWN_COMMAND);
    }

    private static Result parseAuth(String args) {
        if (args == null) {
            return Result.error(Reply.ERR_SYNTAX);
        }
        int space = args.indexOf(' ');
        if (space < 0) {
            return Result.error(Reply.ERR_SYNTAX);
        }
        String name = args.substring(0, space);
        String secret = args.substring(space + 1);
        if (!isValidName(name) || !isValidSecret(secret)) {
            return Result.error(Reply.ERR_SYNTAX);
        }
        return Result.of(new Command.Auth(name, secret));
    }

    /** {@code SEND <name> <text>}; {@code space} is the index of the space after the word, or -1. */
    private static Result parseSend(String line, int space) {
        if (space < 0) {
            return Result.error(Reply.ERR_SYNTAX);
        }
        int second = line.indexOf(' ', space + 1);
        if (second < 0 || second == line.length() - 1) {
            return Result.error(Reply.ERR_SYNTAX);
        }
        String name = line.substring(space + 1, second);
        if (!isValidName(name)) {
            return Result.error(Reply.ERR_SYNTAX);
        }
        return Result.of(new Command.Send(name, line.substring(second + 1)));
    }

    /** 1 to 32 characters from {@code [a-z0-9_-]}, starting with a letter or digit. */
    static boolean isValidName(String name) {
        int n = name.length();
        if (n < 1 || n > MAX_NAME_CHARS) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '_' && c != '-'))) {
                return false;
            }
        }
        return true;
    }

    /** 8 to 128 UTF-8 bytes, no space, no control character (TAB included). */
    static boolean isValidSecret(String secret) {
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c == ' ' || c == '\t' || LineDecoder.isForbiddenControl(c)) {
                return false;
            }
        }
        int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
        return bytes >= MIN_SECRET_BYTES && bytes <= MAX_SECRET_BYTES;
    }
}
