Feature: AUTH — authentication and registration
  AUTH both registers a new name and authenticates a known one (spec/litsxg.md §3). The kit
  uses a fixed secret per name; "the wrong secret" is any other valid secret.

  Rule: AUTH-1 (MUST) AUTH of unknown name: registers, OK registered
    "`AUTH` of a name that has no identity registers it with the given secret (the first use
    claims the name), is answered `OK registered`, and leaves the connection authenticated as
    that name."

    @AUTH-1 @must
    Scenario: AUTH of an unknown name registers it and authenticates the connection
      Given alice is connected
      When alice authenticates
      Then alice receives "OK registered"
      And alice is authenticated as alice

  Rule: AUTH-2 (MUST) concurrent first use: exactly one registration
    "When several connections `AUTH` the same unknown name concurrently — each sent before any
    of them was answered, however close together they arrive — exactly one of them registers it;
    every other is handled as an `AUTH` of a known name (AUTH-3, AUTH-4)."

    @AUTH-2 @must
    Scenario: Simultaneous first uses of one name with one secret register it exactly once, in each of 20 rounds
      Given the server is running
      When in each of 20 rounds 6 connections authenticate as a new name with the same secret at the same moment
      Then in every round exactly one of them receives "OK registered" and every other "OK authenticated"

    @AUTH-2 @must
    Scenario: Simultaneous first uses of one name with different secrets register it exactly once, in each of 20 rounds
      Given the server is running
      When in each of 20 rounds 6 connections authenticate as a new name with different secrets at the same moment
      Then in every round exactly one of them receives "OK registered" and every other "ERR auth-failed"
      And in every round the secret answered "OK registered" is the one that authenticates the name afterwards

  Rule: AUTH-3 (MUST) AUTH known name, right secret: OK authenticated
    "The server authenticates connections: `AUTH` of a known name with its right secret is
    answered `OK authenticated` and leaves the connection authenticated as that name."

    @AUTH-3 @must
    Scenario: AUTH of a known name with its secret authenticates the connection
      Given alice is registered
      And alice is connected
      When alice authenticates
      Then alice receives "OK authenticated"
      And alice is authenticated as alice

  Rule: AUTH-4 (MUST) wrong secret: ERR auth-failed, connection stays open (1st, 2nd)
    "`AUTH` of a known name with a wrong secret is answered `ERR auth-failed`; after the 1st and
    the 2nd failure the connection stays open and unauthenticated."

    @AUTH-4 @must
    Scenario: A wrong secret is refused twice and the connection stays open and unauthenticated
      Given bob is registered
      And alice is connected
      When alice sends these lines one by one:
        | line                        | reply                 |
        | AUTH bob wrong-secret-1     | ERR auth-failed       |
        | AUTH bob wrong-secret-2     | ERR auth-failed       |
        | PING                        | PONG                  |
        | SEND bob hello              | ERR not-authenticated |
      Then each line gets the reply shown beside it

  Rule: AUTH-5 (MUST) 3rd auth failure on a connection: ERR auth-failed, then close
    "The 3rd `ERR auth-failed` on one connection is followed by the server closing that
    connection."

    @AUTH-5 @must
    Scenario: The third failed AUTH on a connection closes it
      Given bob is registered
      And alice is connected
      When alice sends these lines one by one:
        | line                        | reply           |
        | AUTH bob wrong-secret-1     | ERR auth-failed |
        | AUTH bob wrong-secret-2     | ERR auth-failed |
        | AUTH bob wrong-secret-3     | ERR auth-failed |
      Then each line gets the reply shown beside it
      And alice is disconnected

  Rule: AUTH-6 (MUST) failure count is per connection, counts only auth-failed
    "Failures are counted per connection, over all names tried on it; only `ERR auth-failed`
    replies count (an `ERR syntax` does not), and a new connection starts from zero."

    @AUTH-6 @must
    Scenario: Failures count over every name tried on the connection, and syntax errors do not count
      Given bob and carol are registered
      And alice is connected
      When alice sends these lines one by one:
        | line                        | reply           |
        | AUTH bob wrong-secret-1     | ERR auth-failed |
        | AUTH carol wrong-secret-2   | ERR auth-failed |
        | AUTH bob short              | ERR syntax      |
        | AUTH Bob wrong-secret-3     | ERR syntax      |
        | PING                        | PONG            |
        | AUTH carol wrong-secret-4   | ERR auth-failed |
      Then each line gets the reply shown beside it
      And alice is disconnected

    @AUTH-6 @must
    Scenario: A new connection starts counting from zero
      Given bob is registered
      And alice has failed to authenticate as bob 2 times
      And alice's second connection is connected
      When alice's second connection sends these lines one by one:
        | line                        | reply           |
        | AUTH bob wrong-secret-3     | ERR auth-failed |
        | AUTH bob wrong-secret-4     | ERR auth-failed |
        | PING                        | PONG            |
      Then each line gets the reply shown beside it

  Rule: AUTH-7 (MUST) AUTH on authenticated connection: ERR already-authenticated
    "A well-formed `AUTH` on a connection that is already authenticated is answered `ERR
    already-authenticated`, whatever its name and secret; the session is unchanged."

    @AUTH-7 @must
    Scenario: AUTH on an authenticated connection is refused whatever its name and secret
      Given alice and bob are online
      When alice sends these lines one by one:
        | line                         | reply                     |
        | AUTH alice <secret of alice> | ERR already-authenticated |
        | AUTH bob <secret of bob>     | ERR already-authenticated |
        | AUTH carol secret-123        | ERR already-authenticated |
        | SEND bob still alice         | OK delivered              |
      Then each line gets the reply shown beside it
      And bob receives "MSG alice still alice"

  Rule: AUTH-8 (MUST) AUTH of name active elsewhere succeeds
    "`AUTH` with the right secret of a name that is authenticated on another connection succeeds
    on the new connection (`OK authenticated`)."

    @AUTH-8 @must
    Scenario: A name authenticated on one connection can authenticate on another
      Given alice is online
      And alice's second connection is connected
      When alice's second connection authenticates
      Then alice's second connection receives "OK authenticated"

  Rule: AUTH-9 (MUST) older session gets ERR session-replaced and is closed
    "In the case of AUTH-8 the older connection gets `ERR session-replaced` and is closed; from
    then on messages for that name go to the new connection."

    @AUTH-9 @must
    Scenario: The older session is told it was replaced and is closed
      Given alice is online
      And alice's second connection is connected
      When alice's second connection authenticates
      Then alice's first connection receives "ERR session-replaced" and is disconnected

    @AUTH-9 @must
    Scenario: After a replacement, messages for the name go to the new connection
      Given alice and bob are online
      And alice's session has been replaced by alice's second connection
      When bob sends a message "to the new session" to alice
      Then alice's second connection receives "MSG bob to the new session"

    @AUTH-8 @AUTH-9 @must
    Scenario: Simultaneous replacements leave exactly one session, in each of 20 rounds
      Given alice and bob are online
      When in each of 20 rounds 4 more connections of alice authenticate at the same moment
      Then in every round each of them got "OK authenticated", every older session "ERR session-replaced" and the close, and bob's next message reached the one left

  Rule: AUTH-10 (MUST) failed AUTH does not disturb the existing session
    "`AUTH` with a wrong secret for a name that is authenticated on another connection leaves
    that other session untouched."

    @AUTH-10 @must
    Scenario: A failed AUTH for a name in session elsewhere leaves that session alone
      Given alice and bob are online
      And mallory is connected
      When mallory authenticates as alice with the wrong secret
      Then mallory receives "ERR auth-failed"
      And alice is still connected

  Rule: AUTH-11 (MUST) unauthenticated after --auth-timeout (30 s) from accept: ERR auth-timeout, close
    "A connection not authenticated `--auth-timeout` seconds (default 30) after it was accepted
    gets `ERR auth-timeout` and is closed. The time counts from accept; other commands (such as
    `PING`) do not extend it. An `AUTH` received before the deadline whose check is still
    running when it passes is answered first: if it succeeds the connection is authenticated and
    stays; if it fails, `ERR auth-failed` is followed by `ERR auth-timeout` and the close."

    @AUTH-11 @must @process
    Scenario: A silent connection gets ERR auth-timeout when the timeout has passed since accept
      Given the server is configured with an auth timeout of 1 second
      When alice connects
      Then alice receives "ERR auth-timeout" about 1 second after connecting
      And alice is disconnected

    @AUTH-11 @must @process
    Scenario: PING does not extend the auth timeout
      Given the server is configured with an auth timeout of 1 second
      And alice is connected
      When alice keeps sending PING without authenticating
      Then alice receives "ERR auth-timeout" about 1 second after connecting
      And alice is disconnected

    @AUTH-11 @must @process
    Scenario: The auth deadline counts from accept, not from the first line
      Given the server is configured with an auth timeout of 2 seconds
      And alice is connected
      When alice pings 1200 ms after connecting and receives "PONG"
      Then alice receives "ERR auth-timeout" about 2 seconds after connecting
      And alice is disconnected

    @AUTH-11 @must @process
    Scenario: AUTHs still being checked when the deadline passes are answered first
      Given the server is configured with an auth timeout of 1 second
      And bob is registered
      When 160 connections send AUTH 40 ms before their auth deadline, half registering new names and half with a wrong secret for bob
      Then each of those AUTHs is answered: a registration stays authenticated; a wrong secret gets "ERR auth-failed", then "ERR auth-timeout" and the close

  Rule: AUTH-12 (MUST NOT) no idle timeout for authenticated connections
    "The server MUST NOT close an authenticated connection for being idle: authenticated
    connections have no idle timeout."

    @AUTH-12 @must @process
    Scenario: An authenticated connection is not closed for being idle, four times the auth timeout
      Given the server is configured with an auth timeout of 1 second
      And alice is online
      When alice stays idle for 4 seconds
      Then alice is still connected

  Rule: AUTH-13 (MUST NOT) no administrator role; all identities equal
    "All identities are equal: there is no administrator identity or role, and no name can do
    anything another name cannot. (Operators administer the server from its host, never through
    an identity: seed 001 has no identity-management interface and no control plane, OPS-1,
    OPS-2, STORE-14.)"

    @AUTH-13 @must
    Scenario: No identity has administrator powers, whatever its name or order of registration
      Given admin, root and alice are online
      When admin sends these lines one by one:
        | line           | reply               |
        | KICK alice     | ERR unknown-command |
        | OPER admin     | ERR unknown-command |
        | SHUTDOWN       | ERR unknown-command |
        | BAN alice      | ERR unknown-command |
        | SEND alice hi  | OK delivered        |
      Then each line gets the reply shown beside it
      And alice receives "MSG admin hi"
