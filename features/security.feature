Feature: SEC — security properties
  What a client cannot do to another, and what the disk never holds (spec/litsxg.md §15). The
  default loopback bind (WIRE-2) and the modes of the data directory and identities.db
  (STORE-10, STORE-11) are checked in wire.feature and store.feature.

  Rule: SEC-1 (MUST NOT) no impersonation: MSG from is the authenticated name; no AUTH switch, no forged lines
    "A client MUST NOT be able to act as a name its connection did not authenticate: every `MSG`
    it causes carries its own authenticated name as `<from>` (ROUTE-5), a second `AUTH` cannot
    switch the connection to another name (AUTH-7), and no bytes in a line (a forged `MSG` line,
    a CR inside the text) make the server write a line the client chose to another connection."

    @SEC-1 @ROUTE-5 @AUTH-7 @must
    Scenario: A connection cannot send as any name but the one it authenticated
      Given alice, bob and carol are online
      When alice sends these lines in one write:
        """
        AUTH carol <secret of carol>
        SEND bob hello from alice
        MSG bob forged by alice
        SEND bob x\rMSG bob forged by alice
        SEND carol carol
        """
      Then alice receives the replies:
        """
        ERR already-authenticated
        OK delivered
        ERR unknown-command
        ERR bad-encoding
        OK delivered
        """
      And bob receives "MSG alice hello from alice"
      And bob receives nothing else
      And carol receives "MSG alice carol"
      And carol is still connected

  Rule: SEC-2 (MUST NOT) no cross-delivery: under concurrency each client receives exactly its own messages, once, in order
    "A `MSG` MUST NOT be written to any connection but the one authenticated as its recipient:
    while many pairs of clients exchange messages at the same time, each client receives exactly
    the messages sent to it, each once, in the order its sender's `SEND`s were accepted
    (ROUTE-6), and no message meant for another."

    @SEC-2 @ROUTE-6 @must @process
    Scenario: A thousand pairs exchanging messages at once each receive exactly their own, in order
      Given 1000 pairs of clients are online
      When both clients of every pair send each other 10 messages, all at once
      Then every client receives exactly the messages its partner sent, in order, and no other
      And every SEND was answered "OK delivered"

    @SEC-2 @ROUTE-6 @must
    Scenario: Three pairs each pipelining messages at once receive exactly their own, in order
      Given alice, bob, carol, dave, erin and frank are online
      When alice sends 20 messages to bob in one write
      And carol sends 20 messages to dave in one write
      And erin sends 20 messages to frank in one write
      Then bob receives the 20 messages from alice in order, and no other message
      And dave receives the 20 messages from carol in order, and no other message
      And frank receives the 20 messages from erin in order, and no other message

  Rule: SEC-3 (MUST) before AUTH only AUTH, PING and QUIT do anything; SEND reaches no one
    "Before its `AUTH` succeeds, a connection can do nothing but `AUTH`, `PING` and `QUIT`:
    every `SEND` is refused with `ERR not-authenticated` (ROUTE-1) and reaches no one, and every
    other command word is `ERR unknown-command`."

    @SEC-3 @ROUTE-1 @CMD-1 @must
    Scenario: An unauthenticated connection can only AUTH, PING and QUIT
      Given bob is online
      And mallory is connected
      When mallory sends these lines in one write:
        """
        SEND bob hello
        SEND mallory hello
        LIST
        WHO
        ADMIN
        PING
        QUIT
        """
      Then mallory receives exactly these lines in this order:
        """
        ERR not-authenticated
        ERR not-authenticated
        ERR unknown-command
        ERR unknown-command
        ERR unknown-command
        PONG
        OK bye
        """
      And mallory is disconnected
      And bob receives no message

  Rule: SEC-4 (MUST NOT) no secret in any file in clear or plain encoding (hex, Base64, UTF-16), running or stopped
    "No file the server writes may hold a secret in clear or in a plain reversible encoding
    (hex, Base64, UTF-16), while the server runs or after it stops, whether the secret
    registered a name, failed to authenticate, or was refused as malformed (STORE-4)."

    @SEC-4 @STORE-4 @must @process
    Scenario: No file holds a secret in clear or in a plain encoding, while the server runs or after it stops
      Given alice and bob are registered
      And an AUTH with a secret of 129 bytes has been refused with "ERR syntax"
      When mallory fails to authenticate as alice with 2 different wrong secrets
      Then no file under the server's directories holds any secret the clients sent, in clear or in a plain encoding, while the server runs or after it stops
