Feature: ROUTE — sending and delivery
  What SEND does for a connected recipient, and the order in which MSG lines arrive
  (spec/litsxg.md §4).

  Rule: ROUTE-1 (MUST) SEND before AUTH: ERR not-authenticated
    "A well-formed `SEND` on a connection that is not authenticated is answered `ERR
    not-authenticated`, and nothing is sent."

    @ROUTE-1 @must
    Scenario: SEND before AUTH is refused and nothing is sent
      Given bob is online
      And alice is connected
      When alice sends "SEND bob hello"
      Then alice receives "ERR not-authenticated"
      And bob receives no message

  Rule: ROUTE-2 (MUST) SEND to name without identity: ERR unknown-recipient
    "`SEND` to a well-formed name that has no identity is answered `ERR unknown-recipient`."

    @ROUTE-2 @must
    Scenario: SEND to a name that has no identity is refused
      Given alice is online
      When alice sends a message "hello" to nobody
      Then alice receives "ERR unknown-recipient"

  Rule: ROUTE-3 (MUST) SEND to connected recipient: recipient gets MSG <from> <text>
    "The server routes messages: `SEND` to a recipient that has an authenticated connection
    writes `MSG <from> <text>` to that connection."

    @ROUTE-3 @must
    Scenario: A message to a connected recipient is written to the recipient's connection
      Given alice and bob are online
      When alice sends a message "hello bob" to bob
      Then bob receives "MSG alice hello bob"

  Rule: ROUTE-4 (MUST) sender of a live delivery gets OK delivered
    "The sender of a `SEND` delivered as in ROUTE-3 gets `OK delivered`."

    @ROUTE-4 @must
    Scenario: The sender of a live delivery gets OK delivered
      Given alice and bob are online
      When alice sends a message "hello bob" to bob
      Then alice receives "OK delivered"

  Rule: ROUTE-5 (MUST) MSG carries the sender's name and the text byte for byte
    "In `MSG <from> <text>`, `<from>` is the sender's authenticated name and `<text>` is the
    sent text byte for byte, spaces and TAB included."

    @ROUTE-5 @must
    Scenario: MSG names the authenticated sender and carries the text byte for byte
      Given alice and bob are online
      When alice sends "SEND bob \x20 spaced\tand\ttabbed  ✓ "
      Then bob receives "MSG alice \x20 spaced\tand\ttabbed  ✓ "
      And alice receives "OK delivered"

  Rule: ROUTE-6 (MUST) per sender-recipient pair, MSG order = SEND acceptance order
    "For any sender and recipient, `MSG` lines arrive in the order in which the server accepted
    the sender's `SEND`s, whether they were delivered live or from the queue."

    @ROUTE-6 @must
    Scenario: Pipelined messages arrive in the order they were sent
      Given alice and bob are online
      When alice sends 50 messages to bob in one write
      Then alice receives 50 replies "OK delivered"
      And bob receives the 50 messages from alice in order, and no other message
      And alice receives no further line

    @ROUTE-6 @QUEUE-3 @must
    Scenario: Queued messages and then live ones arrive in the order they were accepted
      Given bob is registered
      And alice is online
      And alice has queued 3 messages for bob
      When bob comes online while alice sends 2 more messages to bob
      Then bob receives the 5 messages from alice in order, and no other message

    @ROUTE-6 @must
    Scenario: Messages from two senders keep each sender's order
      Given alice, carol and bob are online
      When alice and carol each send 20 messages to bob in one write
      Then bob receives the 20 messages from alice in order, interleaved with the 20 messages from carol in order
      And bob receives no message

  Rule: ROUTE-7 (MUST) self-send allowed
    "A name may send to itself: its connection receives the `MSG` and the `OK delivered`."

    @ROUTE-7 @must
    Scenario: A name may send to itself
      Given alice is online
      When alice sends a message "note to self" to alice
      Then alice receives "OK delivered"
      And alice receives "MSG alice note to self"

  Rule: ROUTE-8 (IMPLEMENTATION-DEPENDENT) self-send: MSG before or after OK delivered
    "For a message a connection sends to itself, the `MSG` comes before or after its `OK
    delivered`; either order conforms. No client can be hurt by the choice: clients tell `MSG`
    lines from replies by the first token (WIRE-12). The reference server writes the `MSG`
    first."

    @ROUTE-8 @informational
    Scenario: The kit records whether a message to oneself arrives before or after its OK delivered
      Given alice is online
      When alice sends a message "note to self" to alice
      Then the kit records whether alice's MSG came before or after its OK delivered

  Rule: ROUTE-9 (MUST) name offline from the moment its connection ends; later SENDs queued
    "A name is connected exactly while it has an authenticated connection. It goes offline when
    that connection ends, whether by `QUIT`, close by either side, end of stream from the
    client, or a drop; a `SEND` to it accepted after that moment is queued (QUEUE-1)."

    @ROUTE-9 @CMD-14 @must
    Scenario: A name is offline once its connection has ended with QUIT
      Given alice and bob are online
      When alice quits
      Then alice receives "OK bye" and is disconnected
      And bob's first message to alice after that is answered "OK queued"

    @ROUTE-9 @must
    Scenario: A name is offline once its connection has ended with a line that is too long
      Given alice and bob are online
      When alice's connection ends by a line that is too long
      Then bob's first message to alice after that is answered "OK queued"

    @ROUTE-9 @must
    Scenario: A name is offline once the server has closed a connection the client half-closed
      Given alice and bob are online
      When alice's connection ends by a half-close of the client
      Then bob's first message to alice after that is answered "OK queued"

    @ROUTE-9 @must
    Scenario: A name goes offline as soon as the server can see that the client closed its connection
      Given alice and bob are online
      When alice's connection ends by the client closing it
      Then bob's next message to alice is answered "OK queued" within 1 second

  Rule: ROUTE-10 (MUST) the moment a name goes offline, per way of ending
    "The moment a name goes offline (ROUTE-9) is: when the server decides to close its
    connection (after `OK bye`, the 3rd `ERR auth-failed`, or before a server-initiated `ERR`:
    `session-replaced` excepted, as the name stays connected on the new connection), before that
    last line has been written; at end of stream from the client, once the complete lines
    received before it have been answered (WIRE-16); at a reset or a write error, when the
    server observes it. A `SEND` to the name accepted after that moment is queued."

    @ROUTE-10 @must
    Scenario: A name is offline once the server has answered its QUIT, before the connection has closed
      Given alice and bob are online
      When alice quits
      And bob sends a message to alice as soon as alice has read "OK bye"
      Then bob receives "OK queued"
