Feature: OPS — operation
  What the server offers an operator, and what it leaves to the operator (spec/litsxg.md §10).
  Clauses addressed to operators (OPS-7 to OPS-11) cannot be checked against a build; the kit
  reports them NOT RUN. Listening sockets are read from /proc (Linux) for the server's process
  and its descendants.

  Rule: OPS-1 (MUST NOT) no control plane: no other listening socket
    "There is no interactive control plane: the server MUST NOT listen on any socket other than
    its client port (no admin port, no control socket)."

    @OPS-1 @FINAL-4 @must @process
    Scenario: The server listens on no socket but its client port
      Given alice and bob are online
      When alice sends a message "anyone else listening" to bob
      Then the server's processes listen on no socket but the client port

  Rule: OPS-2 (MUST NOT) no admin commands on the client port
    "The client protocol carries no control or administration command: words such as `SHUTDOWN`,
    `KICK`, `ADMIN`, `RELOAD` get `ERR unknown-command`."

    @OPS-2 @must
    Scenario: The client protocol carries no control or administration command
      Given alice is online
      When alice sends these lines one by one:
        | line           | reply               |
        | SHUTDOWN       | ERR unknown-command |
        | KICK bob       | ERR unknown-command |
        | ADMIN          | ERR unknown-command |
        | RELOAD         | ERR unknown-command |
        | RESTART        | ERR unknown-command |
        | DIE            | ERR unknown-command |
        | KILL bob       | ERR unknown-command |
        | OPER alice pw  | ERR unknown-command |
        | CONFIG         | ERR unknown-command |
        | PING           | PONG                |
      Then each line gets the reply shown beside it

  Rule: OPS-3 (MUST NOT) no built-in monitoring
    "There is no built-in monitoring: no health or metrics endpoint, no status command (`STATS`,
    `HEALTH` get `ERR unknown-command`), no status file."

    @OPS-3 @must
    Scenario: There is no status command and no health or metrics endpoint
      Given alice is connected
      When alice sends these lines one by one:
        | line                  | reply               |
        | STATS                 | ERR unknown-command |
        | HEALTH                | ERR unknown-command |
        | STATUS                | ERR unknown-command |
        | METRICS               | ERR unknown-command |
        | INFO                  | ERR unknown-command |
        | UPTIME                | ERR unknown-command |
        | GET /metrics HTTP/1.0 | ERR unknown-command |
        | GET /health HTTP/1.1  | ERR unknown-command |
      Then each line gets the reply shown beside it

    @OPS-3 @must @process
    Scenario: There is no status file
      Given alice and bob are online
      When alice sends a message "status?" to bob
      Then no file under the server's directories is named like a status, health, metrics, stats or pid file

  Rule: OPS-4 (MAY) monitoring is external (process, PING, resources, Tor)
    "All monitoring is external: operators MAY monitor process liveness (the process exists and
    answers `PING` with `PONG`), resource usage and Tor connectivity from outside."

    @OPS-4 @may
    Scenario: The kit records that liveness can be checked from outside
      Given the server is running
      When a monitor connects and sends "PING"
      Then the kit records the monitor's reply

  Rule: OPS-5 (MUST NOT) no enforcement of operational discipline
    "The tool MUST NOT enforce operational discipline: it does not refuse an operator's choice
    such as a non-loopback `--bind`, and it does not check the Tor configuration. Operational
    discipline is externalized."

    @OPS-5 @must @process
    Scenario: A non-loopback bind address is the operator's choice and is not refused
      When the server is started bound to "0.0.0.0"
      Then the server still runs and serves

  Rule: OPS-6 (MUST NOT) no safety nets (no backups, undo, recovery)
    "There are no safety nets: the server makes no backup copy of any file, keeps no undo or
    trash of deleted data, and does not recover lost messages or sessions after a restart."

    @OPS-6 @must @process
    Scenario: A restart makes no backup copy and recovers nothing
      Given alice is registered
      When the server is restarted
      Then no file exists under the server's directories but those the contract names

    @OPS-6 @STORE-12 @must @process
    Scenario: A deleted database is gone for good: no copy, no trash, no recovery
      Given alice is registered
      And while the server was stopped identities.db was deleted
      When the server is started again
      Then alice can register again with another secret
      And no file exists under the server's directories but those the contract names

  Rule: OPS-12 (IMPLEMENTATION-DEPENDENT) undocumented operations unsupported
    "Undocumented operations are unsupported: what a build does under an operation this spec
    does not describe (for example SIGHUP, editing `identities.db` while the server runs, an
    external process holding the database locked) is implementation-dependent and only observed
    informationally. Seed 001 §Scope enforcement makes these operations unsupported, so an
    operator following the manual never meets the difference."

    @OPS-12 @informational @process
    Scenario: The kit records what the build does on SIGHUP
      Given the server is running
      When the server receives SIGHUP
      Then the kit records whether the server still runs and serves
