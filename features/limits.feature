Feature: LIMIT — limits and backpressure
  Bounds on line length, connections and per-connection output (spec/litsxg.md §6). Small
  limits are set through the command template's placeholders; a build whose template cannot
  set a limit reports the scenario NOT RUN.

  Rule: LIMIT-1 (MUST) line limit 4096 bytes excluding terminator; 4096 accepted
    "A client line holds at most 4096 bytes, not counting its LF or CRLF terminator; a line of
    exactly 4096 bytes is processed normally."

    @LIMIT-1 @must @process
    Scenario: A line of exactly 4096 bytes is processed normally
      Given alice and bob are online
      When alice sends bob a message making a line of exactly 4096 bytes
      Then alice receives "OK delivered"
      And bob receives that message whole, in a MSG line of 4097 bytes

    @LIMIT-1 @WIRE-4 @must @process
    Scenario: The CR LF terminator does not count towards the 4096 bytes
      Given alice and bob are online
      When alice sends bob a message making a line of exactly 4096 bytes, terminated by CRLF
      Then alice receives "OK delivered"
      And bob receives that message whole, in a MSG line of 4097 bytes

  Rule: LIMIT-2 (MUST) longer line: ERR line-too-long, close
    "A longer line is answered `ERR line-too-long` and the connection is closed."

    @LIMIT-2 @WIRE-15 @must
    Scenario: A line of 4097 bytes is answered ERR line-too-long and the connection is closed
      Given alice is online
      When alice sends a line of 4097 bytes followed by "PING"
      Then alice receives "ERR line-too-long" and is disconnected

    @LIMIT-2 @must
    Scenario: A line of 4097 bytes is too long even when terminated by CR LF
      Given alice is connected
      When alice sends a line of 4097 bytes, terminated by CRLF
      Then alice receives "ERR line-too-long" and is disconnected

    @LIMIT-2 @must
    Scenario: An over-long line is refused without waiting for its end
      Given alice is connected
      When alice sends 20000 bytes without a line end
      Then alice receives "ERR line-too-long" and is disconnected

  Rule: LIMIT-3 (MUST) connection cap --max-connections (10000): ERR server-full, close
    "With `--max-connections N` (default 10000), while N client connections (authenticated or
    not) are open, a new connection gets `ERR server-full` and is closed; once an open
    connection ends, a new one is accepted again."

    @LIMIT-3 @must @process
    Scenario: At the connection limit a new connection gets ERR server-full and is closed
      Given the server is configured with a connection limit of 3
      And alice is online
      And 2 more clients are connected
      When dave connects
      Then dave receives "ERR server-full" and is disconnected

    @LIMIT-3 @must @process
    Scenario: Once an open connection ends, a new one is accepted again
      Given the server is configured with a connection limit of 3
      And 3 clients are connected
      And a fourth connection has been refused with "ERR server-full"
      When one of the connected clients closes its connection
      Then a new connection is accepted again

  Rule: LIMIT-4 (MUST) pending output over --max-pending-bytes (1 MiB): drop connection at once
    "When the output waiting for one connection, beyond what the operating system has taken,
    exceeds `--max-pending-bytes` (default 1048576), the server discards that output and closes
    the connection at once — within 5 s of the output passing the bound — so its memory cannot
    grow without bound: it never holds more than `--max-pending-bytes` plus one line (4127
    bytes) of output for a connection beyond what the operating system has taken, the flush of
    QUEUE-9 aside."

    @LIMIT-4 @must @process
    Scenario: A connection whose pending output exceeds the limit is dropped
      Given the server is configured with a pending output limit of 65536 bytes
      And bob is online and has stopped reading
      And alice is online
      When alice sends bob messages of 4000 bytes until the server answers "OK queued"
      Then bob's connection has been dropped

  Rule: LIMIT-5 (MUST) pipelining client is slowed by backpressure, not dropped
    "A client that pipelines commands without reading the replies is slowed, not dropped: with
    the default `--max-pending-bytes`, the server stops reading from a connection while that
    connection's own pending output is above the threshold of LIMIT-10 (below
    `--max-pending-bytes`), and every reply arrives once the client reads."

    @LIMIT-5 @must
    Scenario: A client that pipelines without reading is slowed down, not dropped
      Given alice is online with small socket buffers and has stopped reading
      When alice sends 1000000 PING lines without reading the replies
      Then the server stops reading from alice before it has read them all
      And alice receives 1000000 replies "PONG" once she reads again
      And alice is still connected

  Rule: LIMIT-6 (SHOULD) ERR slow-consumer before the drop, best effort
    "Before closing a connection under LIMIT-4, the server SHOULD write `ERR slow-consumer` if
    the socket has room for it (best effort)."

    @LIMIT-6 @should @process
    Scenario: A dropped slow consumer is told ERR slow-consumer if its socket has room
      Given the server is configured with a pending output limit of 65536 bytes
      And bob is online and has stopped reading
      And alice is online
      When alice sends bob messages of 4000 bytes until the server answers "OK queued"
      Then whatever bob received after its MSG lines, before the drop, was "ERR slow-consumer"

  Rule: LIMIT-7 (MAY) messages delivered to a dropped slow consumer may be lost
    "Messages already answered `OK delivered` to a connection dropped under LIMIT-4 MAY be
    lost."

    @LIMIT-7 @may @process
    Scenario: The kit records how many delivered messages a dropped slow consumer lost
      Given the server is configured with a pending output limit of 65536 bytes
      And bob is online and has stopped reading
      And alice is online
      When alice sends bob messages of 4000 bytes until the server answers "OK queued"
      Then the kit records how many of the messages answered "OK delivered" reached bob

  Rule: LIMIT-8 (IMPLEMENTATION-DEPENDENT) reply to the SEND that triggers a slow-consumer drop
    "The reply to the `SEND` whose `MSG` pushes a connection's pending output past
    `--max-pending-bytes` is implementation-dependent: `OK delivered` (the `MSG` is then lost
    with the dropped output, LIMIT-7), or `OK queued` (the recipient is offline from that
    instant, LIMIT-9), or `ERR queue-full` if its queue is full. Each reply truthfully reports
    what the server did with the message (QUEUE-6), and a sender cannot tell a message lost
    after `OK delivered` from one its recipient never read, so neither an operator nor a user
    can depend on the choice."

    @LIMIT-8 @informational @process
    Scenario: The kit records the replies around the slow-consumer drop
      Given the server is configured with a pending output limit of 65536 bytes
      And bob is online and has stopped reading
      And alice is online
      When alice sends bob messages of 4000 bytes until the server answers "OK queued"
      Then the kit records the replies alice got before the first "OK queued"

  Rule: LIMIT-9 (MUST) after slow-consumer drop, SENDs to that name are queued
    "After a connection is dropped under LIMIT-4, `SEND`s to its name are queued as for any
    offline recipient."

    @LIMIT-9 @must @process
    Scenario: After a slow-consumer drop, messages to that name are queued
      Given the server is configured with a pending output limit of 65536 bytes
      And bob is online and has stopped reading
      And alice is online
      When alice sends bob messages of 4000 bytes until the server answers "OK queued"
      Then alice's first message to bob after that is answered "OK queued"

  Rule: LIMIT-10 (IMPLEMENTATION-DEPENDENT) backpressure threshold (reference: 64 KiB)
    "The backpressure threshold of LIMIT-5 is implementation-dependent, as long as LIMIT-5 holds
    at the default `--max-pending-bytes`. The reference server stops reading from a connection
    while that connection's own pending output exceeds 64 KiB. A client sees only the speed at
    which its replies arrive, which Tor's latency dominates."

    @LIMIT-10 @informational
    Scenario: The kit records how much a non-reading client could pipeline before the server stopped reading
      Given alice is online with small socket buffers and has stopped reading
      When alice sends 1000000 PING lines without reading the replies
      Then the kit records how much alice could send before the server stopped reading

  Rule: LIMIT-11 (MUST) too-long line detected at 4097 bytes without waiting for LF or end of stream
    "A line is too long (LIMIT-2) as soon as the server has received more than 4096 bytes of it
    that cannot still be followed by its terminator: 4097 bytes not ending in CR, or 4098 bytes.
    The server then answers `ERR line-too-long` and closes without waiting for an LF or the end
    of the stream. At end of stream, an unterminated remainder that could still have been a
    legal line is discarded without a reply (WIRE-16)."

    @LIMIT-11 @must
    Scenario: 4097 bytes without a line end are too long at once, without waiting for more
      Given alice is connected
      When alice sends the raw bytes "<4097 × x>"
      Then alice receives "ERR line-too-long" and is disconnected

    @LIMIT-11 @must
    Scenario: 4096 bytes and a CR may still become a legal line, and do when the LF follows
      Given alice is connected
      When alice sends the raw bytes "PING <4091 × x>\r"
      Then nothing arrives at alice
      When alice sends the raw bytes "\n"
      Then alice receives "ERR syntax"
      And alice is still connected

    @LIMIT-11 @WIRE-16 @must
    Scenario: Too long at end of stream is still too long; a shorter unterminated rest is dropped silently
      Given alice is connected
      And bob is connected
      When alice half-closes the connection after sending the raw bytes "<4097 × x>"
      And bob half-closes the connection after sending the raw bytes "PING\n<4096 × x>"
      Then alice receives "ERR line-too-long" and is disconnected
      And bob receives "PONG" and is disconnected
