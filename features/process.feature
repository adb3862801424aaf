Feature: PROC — the process contract
  Flags, startup, the ready line, exit codes, signals, the data-directory lock, failure and
  restart (spec/litsxg.md §8). The kit starts the build from its command template, with stdin
  closed, in a fresh working directory, and watches its exit status, stdout and stderr.

  Rule: PROC-1 (MUST) single long-running foreground process
    "Litsxg runs as a single long-running server process: after the ready line it stays in the
    foreground (it does not daemonize or exit) until it is stopped or fails."

    @PROC-1 @must @process
    Scenario: After the ready line the process stays in the foreground and serves
      When the server is started and the kit waits for its ready line
      Then the process the kit started is still running after a quiet period
      And the server still runs and serves

  Rule: PROC-2 (MUST) flags --bind, --port, --data-dir with defaults
    "The server accepts `--bind <address>` (default `127.0.0.1`), `--port <port>` (default
    `7667`; `0` picks a free port) and `--data-dir <path>` (default `./litsxg-data`)."

    @PROC-2 @must @process
    Scenario: --port 0 picks a free port, which the ready line names
      When the server is started with port 0
      Then the server serves on the port its ready line names

    @PROC-2 @must @process
    Scenario: Without --data-dir the data directory is ./litsxg-data
      When the server is started without the flag for data_dir
      Then the server's working directory holds litsxg-data/identities.db

    @PROC-2 @must @process
    Scenario: Without --port the server listens on port 7667
      When the server is started without the flag for port
      Then the ready line names the address "127.0.0.1" and the port 7667

  Rule: PROC-3 (SHOULD) limit flags --max-queued, --max-connections, --auth-timeout, --max-pending-bytes
    "The server SHOULD accept `--max-queued`, `--max-connections`, `--auth-timeout` (seconds)
    and `--max-pending-bytes` with the meanings and defaults of this spec. A build without them
    is tested at the defaults only; clauses that need another value are reported not run for
    it."

    @PROC-3 @should @process
    Scenario: The build lets the operator set every limit
      Given the build's command line can set every limit
      When the server is started with non-default limits
      Then the server still runs and serves

  Rule: PROC-4 (IMPLEMENTATION-DEPENDENT) other flags (reference: --log-level, --pbkdf2-iterations)
    "Which further flags a build accepts is implementation-dependent. The reference server also
    accepts `--log-level` (`error`, `warn`, `info`, `debug`; default `info`) and
    `--pbkdf2-iterations` (default 100000; used for new rows only)."

    @PROC-4 @informational @process
    Scenario: The kit records the build's further flags
      When the server is started
      Then the kit records which words of the build's command line are not Litsxg's documented flags

  Rule: PROC-5 (MUST) missing data dir is created
    "The data directory is created if it is missing."

    @PROC-5 @must @process
    Scenario: A missing data directory is created, parents included
      When the server is started with a data directory path whose parents do not exist
      Then the data directory exists and holds identities.db

  Rule: PROC-6 (MUST) startup synchronous: ready line only after db open and bind
    "Startup is synchronous: the server opens the data directory and the database and binds the
    port before it prints the ready line, so a connection made as soon as the line appears is
    accepted and served."

    @PROC-6 @must @process
    Scenario: The data directory and database are open and the port bound before the ready line
      When the server is started and the kit waits for its ready line
      Then a connection made as soon as the ready line appeared is served
      And the data directory held identities.db when the ready line appeared

  Rule: PROC-7 (MUST) startup immediate; waits for nothing external
    "Startup is immediate: the server waits for no external event (Tor, network, a client,
    input) before the ready line, and on an empty data directory prints it within 5 s of being
    launched."

    @PROC-7 @must @process
    Scenario: The ready line comes without any client, input or network event, within 5 s
      When the server is started and the kit waits for its ready line
      Then the ready line came within the spec's start bound of the launch
      And the server still runs and serves

  Rule: PROC-8 (MUST) ready line `litsxg listening on <address>:<port>` with bound address and port
    "Once started the server prints exactly one line `litsxg listening on <address>:<port>` on
    stdout, where `<address>` is the bound address as a literal in its canonical text form (IPv4
    dotted quad; IPv6 in RFC 5952 compressed form in brackets, e.g. `[::1]`) and `<port>` the
    port actually bound (so `--port 0` can be used)."

    @PROC-8 @LOG-1 @must @process
    Scenario: The ready line names the bound address and port, and is stdout's only line
      Given the server is running
      When the server is stopped
      Then the server's stdout is exactly its ready line

    @PROC-8 @must @process
    Scenario Outline: The ready line names the address the server bound: <address>
      When the server is started bound to "<address>"
      Then the ready line names the address "<literal>" and the port the server bound

      Examples:
        | address   | literal   |
        | 127.0.0.1 | 127.0.0.1 |
        | ::1       | [::1]     |
        | 0.0.0.0   | 0.0.0.0   |

  Rule: PROC-9 (MUST) cannot start: no ready line, one stderr line, non-zero exit at once
    "A server that cannot start prints no ready line, writes exactly one line on stderr, and
    exits with a non-zero status at once: within 5 s of being launched."

    @PROC-9 @must @process
    Scenario Outline: A server that cannot start prints no ready line, one stderr line, and exits at once: <why>
      When the server is started <why>
      Then the server exits at once with a non-zero status
      And the server printed no ready line
      And the server wrote exactly one line to stderr

      Examples:
        | why                                          |
        | on a port that is already in use             |
        | with an unknown flag                         |
        | with a data directory that is a regular file |

  Rule: PROC-10 (MUST) bad usage/config: exit 2
    "Bad usage or configuration (an unknown flag, a missing or malformed value, a value out of
    range) ends the process with exit status 2."

    @PROC-10 @must @process
    Scenario Outline: Bad usage exits with status 2: <why>
      When the server is started <why>
      Then the server exits at once with status 2

      Examples:
        | why                                   |
        | with an unknown flag                  |
        | with port set to "not-a-port"         |
        | with port set to "70000"              |
        | with max_queued set to "many"         |
        | with auth_timeout set to "soon"       |

  Rule: PROC-11 (MUST) port in use or data dir unusable: exit 3
    "When the server cannot start because the port cannot be bound (for example it is in use) or
    the data directory or database is unusable, it exits with status 3."

    @PROC-11 @must @process
    Scenario Outline: A port or data directory that cannot be used exits with status 3: <why>
      When the server is started <why>
      Then the server exits at once with status 3

      Examples:
        | why                                                    |
        | on a port that is already in use                       |
        | with a data directory that is a regular file           |
        | with an identities.db that is not a SQLite database    |

  Rule: PROC-12 (MUST) exclusive data-dir lock; second instance exits 3 naming the dir
    "A running instance holds an exclusive lock on its data directory, which the operating
    system releases when the process ends in any way (PROC-17); a second instance of the same
    build on the same data directory exits with status 3 and one stderr line naming the
    directory. The lock's mechanism and file name are implementation-dependent (STORE-9); the
    reference server takes an OS file lock on the empty file `litsxg.lock`. Whether two
    different builds exclude each other on one directory is implementation-dependent too: the
    documented upgrade stops the old build before the new one starts (UPG-1)."

    @PROC-12 @must @process
    Scenario: A second instance on a locked data directory exits 3 with one line naming it
      Given the server is running
      When a second server is started on the same data directory
      Then the second server exits at once with status 3
      And the second server wrote exactly one line to stderr
      And that line names the data directory

    @PROC-12 @must @process
    Scenario: The instance holding the lock keeps serving
      Given the server is running
      When a second server is started on the same data directory
      Then the second server exits at once with status 3
      And the first server still serves

  Rule: PROC-13 (MUST) SIGTERM/SIGINT: close all connections, exit 0
    "On SIGTERM or SIGINT the server closes every connection and exits with status 0."

    @PROC-13 @must @process
    Scenario Outline: <signal> closes every connection and exits 0
      Given alice and bob are online
      When the server receives <signal>
      Then alice and bob are disconnected
      And the server exits with status 0

      Examples:
        | signal  |
        | SIGTERM |
        | SIGINT  |

  Rule: PROC-14 (MUST) fatal run-time error (at least a failed identity write): exit 1 within 5 s, port closed
    "On failure the server process terminates: a fatal run-time error ends it with exit status 1
    within 5 s, it answers nothing more, and it never lingers half-alive (its port no longer
    accepts connections). A fatal run-time error is at least the failure to store a new
    identity: when the identity database cannot be written as a new name registers (for example
    its files made immutable while the server runs, as the kit does with `chattr +i`; a
    directory removed or a file replaced under a running SQLite may still be written through the
    descriptors it holds, so it need not fail), no `OK registered` is sent (STORE-3), one line
    goes to stderr, and the process exits with status 1. A build MAY treat other errors it
    cannot recover from the same way."

    @PROC-14 @must @process
    Scenario: A new identity that cannot be written ends the process: no OK registered, exit 1, port closed
      Given alice is registered
      When the server's data directory can no longer be written
      And dave connects and registers a new name
      Then dave never receives "OK registered"
      And the server has exited with status 1 within 5 s of the registration
      And nothing listens on the server's port any more

  Rule: PROC-15 (MUST) process end drops all connections and in-memory state
    "When the process ends for any reason (failure, kill, stop), all its connections are dropped
    and its in-memory state (sessions, queues, failure counts, timers) is lost."

    @PROC-15 @must @process
    Scenario: When the process is killed every connection drops
      Given alice and bob are online
      And carol is connected
      When the process holding the server's listening socket is killed
      Then alice, bob and carol are disconnected

  Rule: PROC-16 (MUST NOT) no self-restart; restart is manual or external
    "The server MUST NOT restart itself: once the process has ended nothing of it keeps running
    or listening until the operator, or an external supervisor, starts it again."

    @PROC-16 @must @process
    Scenario: Once the process has ended nothing of it keeps listening or restarts it
      Given the server is running
      When the process holding the server's listening socket is killed
      Then for 3 seconds nothing of the server runs or listens on its port

  Rule: PROC-17 (MUST) restart needs no cleanup, also after SIGKILL
    "A restart needs no cleanup or state migration: a start on the data directory of a stopped
    or killed instance (leftover `litsxg.lock`, WAL files) succeeds."

    @PROC-17 @must @process
    Scenario: A start on the data directory of a killed instance succeeds without cleanup
      Given alice is registered
      And the server process has been killed
      When the server is started again
      Then alice can authenticate with her secret

  Rule: PROC-18 (MUST NOT) no operator input needed; stdin not read
    "Normal operation needs no manual intervention: the server MUST NOT read commands from stdin
    or wait for any operator input, and runs with stdin closed or empty."

    @PROC-18 @must @process
    Scenario: The server reads no commands from its standard input
      When the server is started with operator commands on its standard input
      Then the process the kit started is still running after a quiet period
      And the server still runs and serves

  Rule: PROC-19 (MUST) flag syntax: --flag value or --flag=value; repeats, positionals, missing values exit 2
    "Flags are given as `--flag value` or `--flag=value`, with the names this spec gives,
    case-sensitive; there are no short forms. A flag given twice, an argument that is not a flag
    (a positional argument), an empty value, and a missing value (the flag is the last argument,
    or the next argument is one of the build's own flags, as in `--data-dir --port 7667`) are
    bad usage: exit status 2 (PROC-10). Any other next argument is the value, even one beginning
    with `-`; `--flag=value` takes its value as written."

    @PROC-19 @must @process
    Scenario: A flag written as --flag=value is accepted
      When the server is started with its port flag written as --flag=value
      Then the server serves on the port its ready line names

    @PROC-19 @PROC-10 @must @process
    Scenario Outline: Bad usage of a flag exits with status 2: <why>
      When the server is started <why>
      Then the server exits with status 2 within 5 seconds of its launch
      And the server printed no ready line

      Examples:
        | why                                                  |
        | with its port flag given twice                       |
        | with its data_dir flag given twice                   |
        | with its max_queued flag last and without a value    |
        | with the extra argument "serve-everything"           |

  Rule: PROC-20 (MUST) numeric flag forms and ranges; out of range exits 2
    "Numeric flag values are decimal integers written with ASCII digits only (leading zeros
    allowed; no sign, fraction, exponent or space). `--port` accepts 0 to 65535; `--max-queued`,
    `--max-connections` and `--auth-timeout` (whole seconds), in a build that offers them
    (PROC-3), accept 1 to 2147483647; `--max-pending-bytes` accepts 8192 (room for the longest
    `MSG` line, twice over) to 2147483647. A value not so written, below its range, or a port
    above 65535 is bad usage: exit status 2 (PROC-10). (`--max-queued 0` would make the server
    buffer nothing, against QUEUE-1.) Whether a build accepts values above 2147483647 for the
    other four flags is implementation-dependent: no operator sets a limit beyond two billion."

    @PROC-20 @PROC-10 @must @process
    Scenario Outline: A numeric flag value that is signed, fractional or out of range exits with status 2: <flag> <value>
      When the server is started with <flag> set to "<value>"
      Then the server exits with status 2 within 5 seconds of its launch

      Examples:
        | flag              | value      |
        | port              | +7667      |
        | max_queued        | 0          |
        | max_connections   | 0          |
        | auth_timeout      | 1.5        |
        | max_pending_bytes | 8191       |

    @PROC-20 @must @process
    Scenario Outline: The ends of each range are accepted: <flag> <value>
      When the server is started with <flag> set to "<value>"
      Then the server serves on the port its ready line names

      Examples:
        | flag              | value      |
        | max_queued        | 1          |
        | auth_timeout      | 2147483647 |
        | max_pending_bytes | 8192       |

  Rule: PROC-21 (MUST) --bind takes IPv4, IPv6 (bracketed or not) or a host name; unresolvable exits 3
    "`--bind` accepts an IPv4 address, an IPv6 address with or without brackets (`::1`,
    `[::1]`), or a host name, which the system resolver turns into the address to bind
    (`localhost`); the ready line names the address actually bound (PROC-8). A host name that
    does not resolve, like an address that cannot be bound, means the server cannot start: exit
    status 3 (PROC-11). Scoped IPv6 addresses (`fe80::1%eth0`) are implementation-dependent:
    Tor's onion service forwards to a loopback address (WIRE-2, OPS-8)."

    @PROC-21 @must @process
    Scenario: --bind takes a host name the system resolves
      When the server is started bound to "localhost"
      Then the server serves on the port its ready line names

    @PROC-21 @PROC-8 @must @process
    Scenario: --bind takes an IPv6 address in brackets
      When the server is started bound to "[::1]"
      Then the ready line names the address "[::1]" and the port the server bound

    @PROC-21 @PROC-24 @must @process
    Scenario: A --bind name that does not resolve means the server cannot start: exit status 3
      When the server is started with bind set to "no-such-host.invalid"
      Then the server exits with status 3 within 5 seconds of its launch
      And the server printed no ready line
      And the server wrote exactly one line to stderr

  Rule: PROC-22 (MUST) SIGTERM/SIGINT: exit 0 within 5 s once the port accepts
    "From the moment its port accepts connections, the server exits with status 0 within 5 s of
    SIGTERM or SIGINT (PROC-13)."

    @PROC-22 @must @process
    Scenario Outline: A server with connected clients exits 0 within 5 seconds of <signal>
      Given alice and bob are online
      When the server receives <signal>
      Then the server has exited with status 0 within 5 seconds of the signal

      Examples:
        | signal  |
        | SIGTERM |
        | SIGINT  |

  Rule: PROC-24 (MUST) the causes of not starting that exit 3
    "A build exits with status 3 for each of these causes of not starting: the port cannot be
    bound; the `--bind` name does not resolve (PROC-21); the data directory path exists and is
    not a directory, cannot be created, or cannot be read and written; its lock is held
    (PROC-12); `identities.db` cannot be opened or read as the build's database. Any other cause
    of not starting that is not bad usage (PROC-10) gives a non-zero status (PROC-9)."

    @PROC-24 @must @process
    Scenario Outline: Each cause of not starting exits with status 3: <why>
      When the server is started <why>
      Then the server exits with status 3 within 5 seconds of its launch
      And the server printed no ready line

      Examples:
        | why                                                    |
        | on a port that is already in use                       |
        | with a data directory that is a regular file           |
        | with a data directory path below a regular file        |
        | with an identities.db that is not a SQLite database    |
