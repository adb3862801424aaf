Feature: LOG — logging
  Logging is minimal and implementation-dependent, within limits (spec/litsxg.md §9): plain
  text on stderr only, no log file, no structured log, no audit trail, no access log, and never
  a secret. Whether message text shows up on stderr is the documented plaintext caveat: the kit
  records it, and judges nothing.

  Rule: LOG-1 (MUST) logs are plain text on stderr only; stdout only the ready line
    "Log output, if any, is plain text lines on stderr only; stdout carries nothing but the
    ready line."

    @LOG-1 @must @process
    Scenario: Logs are plain text lines on stderr, and stdout carries only the ready line
      Given the server is running with its most verbose log level
      And alice and bob are online
      When alice sends a message "hello over stderr" to bob
      Then after a stop the server's stdout is exactly its ready line
      And every stderr line is plain UTF-8 text

  Rule: LOG-2 (MUST NOT) no log file
    "The server MUST NOT write a log file (in the data directory, the working directory, or
    anywhere else)."

    @LOG-2 @FINAL-8 @must @process
    Scenario: No log file is written, anywhere the kit can see
      Given the server is running with its most verbose log level
      And alice and bob are online
      When alice sends a message "is this logged to a file" to bob
      Then after a stop no file exists under the server's directories but those the contract names

  Rule: LOG-3 (MUST NOT) no structured logs
    "The server MUST NOT produce structured logs: no stderr line is a JSON object or any other
    structured record."

    @LOG-3 @must @process
    Scenario: No stderr line is a structured record
      Given the server is running with its most verbose log level
      And alice and bob are online
      When alice sends a message "structured or not" to bob
      Then after a stop no stderr line is a JSON value or a key=value record

  Rule: LOG-4 (MUST NOT) no audit trail; AUTH of a known name leaves db rows unchanged
    "The server MUST NOT keep an audit trail: it records no authentication or other event
    anywhere; an `AUTH` of a known name, successful or not, leaves the rows of `identities.db`
    unchanged and writes no file."

    @LOG-4 @must @process
    Scenario: A successful AUTH leaves the identity rows unchanged and writes no file
      Given alice is registered
      And the server has been restarted
      When alice authenticates 3 times on new connections
      Then the identity store is byte-identical to the one before the restart
      And no file exists under the server's directories but those the contract names

    @LOG-4 @must @process
    Scenario: Failed, locked-out and malformed AUTHs of a known name leave the rows unchanged and write no file
      Given alice is registered
      And the server has been restarted
      When mallory has failed to authenticate as alice 3 times
      And bob connects and sends "AUTH alice looks-like-a-secret-7Q2 trailing-word"
      And alice authenticates 1 times on new connections
      Then the identity store is byte-identical to the one before the restart
      And no file exists under the server's directories but those the contract names

  Rule: LOG-5 (MUST NOT) no access log
    "The server MUST NOT keep an access log: at the default log level it writes no line per
    connection or per command, and no client address."

    @LOG-5 @must @process
    Scenario: At the default log level there is no line per connection or command, and no client address
      Given the server is running
      When 5 clients connect, ping and quit while the kit counts the server's stderr lines
      Then the server's stderr did not grow and names no client port

  Rule: LOG-7 (IMPLEMENTATION-DEPENDENT) what is logged (reference: message text at debug only)
    "Whether the server logs, and what, in which format, and which further log levels it offers,
    is implementation-dependent within LOG-1 to LOG-5, LOG-9 and LOG-10 (seed 001 §Logging: "Any
    logging present is implementation-dependent"). An operator does not depend on it: there are
    no structured logs or audit trails to parse (LOG-3, LOG-4), and monitoring is external
    (OPS-4). The reference server logs start, stop, fatal errors and counts at `info` and never
    message text there; at `--log-level debug` it logs message text."

    @LOG-7 @informational @process
    Scenario: The kit records what the build logs at its default level
      Given alice and bob are online
      When alice sends a message "what is logged" to bob
      Then the kit records the server's stderr after a stop

  Rule: LOG-8 (MAY) logs may expose message plaintext
    "Any log line MAY contain message plaintext: logs may expose plaintext, and seed 001 tells
    operators to assume so (the documented caveat, observable with the reference server at
    `--log-level debug`)."

    @LOG-8 @may @process
    Scenario: The kit records whether message text appears on stderr (the plaintext caveat)
      Given the server is running with its most verbose log level
      And alice and bob are online
      When alice sends a message "plaintext caveat 7F3A" to bob
      Then the kit records whether message text appears on stderr

  Rule: LOG-9 (MUST NOT) secrets never logged at any level
    "A secret MUST NOT be logged, at any log level."

    @LOG-9 @must @process
    Scenario Outline: No secret is logged, at log level <level>
      Given the server is running with log level <level>
      And alice is registered
      And mallory has failed to authenticate as alice 3 times
      When bob connects and sends "AUTH Bob bobs-secret-in-a-bad-line"
      And carol connects and sends "AUTH alice carols-secret-in-a-bad-line trailing-word"
      Then after a stop no stderr line holds any secret the clients sent

      Examples:
        | level |
        | error |
        | debug |

    @LOG-9 @must @process
    Scenario: No secret is logged, at the default log level
      Given alice is registered
      And mallory has failed to authenticate as alice 3 times
      When bob connects and sends "AUTH Bob bobs-secret-in-a-bad-line"
      And carol connects and sends "AUTH alice carols-secret-in-a-bad-line trailing-word"
      Then after a stop no stderr line holds any secret the clients sent

  Rule: LOG-10 (MUST) logging minimal at the default level: no line per connection, command or message
    "Logging is minimal: at the default log level, the server writes on stderr only lines about
    its start, its stop, fatal errors, and warnings about its own resources (such as running out
    of file descriptors, at most one line a minute), and their number does not depend on how
    many connections, commands or messages it serves: a server that served a thousand
    connections and messages and one that served none write the same lines, apart from counts
    inside them."

    @LOG-10 @must @process
    Scenario: At the default log level the number of log lines does not grow with each message
      Given alice and bob are online
      When alice sends bob 20 messages while the kit counts the server's stderr lines
      Then bob receives the 20 messages from alice in order
      And the server's stderr did not grow and names no client port
