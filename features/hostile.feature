Feature: HOST — hostile input and faults
  The server faces the open Tor network (spec/litsxg.md §14). Each scenario plays one hostile
  client and checks the reply or close its clauses define, while a well-behaved client on other
  connections keeps exchanging PING/PONG and messages and must be served, each round trip within
  a bound, during and after the hostile act. Scenarios tagged @process set a limit of the server
  through the command template.

  Rule: HOST-1 (MUST) hostile input gets its defined reply/close and disturbs no other connection, during and after
    "Hostile input on one connection (bytes that are not the protocol, lines that break the
    framing or its limits, floods of commands or messages, a recipient that stops reading,
    repeated failed `AUTH`s, thousands of connections opened and dropped in any way) gets the
    reply or close its clauses define and disturbs no other connection: during and after it, a
    well-behaved client on another connection keeps getting its replies and messages without
    undue delay: each `PING` answered, and each message it sends delivered, within 3 s."

    @HOST-1 @WIRE-7 @must
    Scenario: Lines of random bytes that are not UTF-8 are each answered ERR bad-encoding
      Given a well-behaved client is online and keeps exchanging messages with another
      And mallory is connected
      When mallory sends 300 lines of random bytes that are not UTF-8, in one write
      Then mallory receives "ERR bad-encoding" for each of those lines
      And mallory is still connected
      And the well-behaved client was served throughout, and still is

    @HOST-1 @WIRE-7 @WIRE-8 @must
    Scenario: NUL and every other control character but TAB are answered ERR bad-encoding
      Given a well-behaved client is online and keeps exchanging messages with another
      And mallory is connected
      When mallory sends a line holding each control character but TAB, in one write
      Then mallory receives "ERR bad-encoding" for each of those lines
      And mallory is still connected
      And the well-behaved client was served throughout, and still is

    @HOST-1 @WIRE-7 @must
    Scenario: Overlong forms, encoded surrogates and truncated sequences are answered ERR bad-encoding
      Given a well-behaved client is online and keeps exchanging messages with another
      And mallory is connected
      When mallory sends these lines one by one:
        | line                            | reply            |
        | PING \xC0\x80                   | ERR bad-encoding |
        | SEND bob \xC1\xBF               | ERR bad-encoding |
        | SEND bob \xE0\x80\xAF           | ERR bad-encoding |
        | SEND bob \xF0\x80\x80\xAF       | ERR bad-encoding |
        | SEND bob \xED\xA0\x80           | ERR bad-encoding |
        | SEND bob \xED\xBF\xBF           | ERR bad-encoding |
        | SEND bob \xED\xA0\xBD\xED\xB8\x80 | ERR bad-encoding |
        | SEND bob caf\xC3                | ERR bad-encoding |
        | SEND bob \xE2\x82               | ERR bad-encoding |
        | SEND bob \xF0\x9F\x98           | ERR bad-encoding |
        | SEND bob \xE2\x82A              | ERR bad-encoding |
        | SEND bob \xF4\x90\x80\x80       | ERR bad-encoding |
        | SEND bob \xF8\x88\x80\x80\x80   | ERR bad-encoding |
        | \xFE\xFF                        | ERR bad-encoding |
        | \x80PING                        | ERR bad-encoding |
        | PING                            | PONG             |
      Then each line gets the reply shown beside it
      And the well-behaved client was served throughout, and still is

    @HOST-1 @LIMIT-2 @must
    Scenario: A 1 MiB line with no line end is refused with ERR line-too-long and the connection closed
      Given a well-behaved client is online and keeps exchanging messages with another
      And mallory is connected
      When mallory sends 1048576 bytes without a line end, in writes of 64 KiB
      Then mallory receives "ERR line-too-long" and is disconnected, whatever the kit was still writing
      And the well-behaved client was served throughout, and still is

    @HOST-1 @LIMIT-2 @must
    Scenario: Lines ended by CR alone never end, until they pass the line limit
      Given a well-behaved client is online and keeps exchanging messages with another
      And mallory is connected
      When mallory sends "PING\r" 1000 times in one write
      Then mallory receives "ERR line-too-long" and is disconnected
      And the well-behaved client was served throughout, and still is

    @HOST-1 @WIRE-16 @must
    Scenario: A client that half-closes after pipelining still gets every reply, then the close
      Given bob is online
      And alice is online
      And a well-behaved client is online and keeps exchanging messages with another
      When alice sends 1000 messages to bob in one write and half-closes the connection
      Then alice receives 1000 replies "OK delivered"
      And alice is disconnected
      And bob receives the 1000 messages from alice in order
      And the well-behaved client was served throughout, and still is

    @HOST-1 @LIMIT-4 @must @process
    Scenario: A recipient that never reads is dropped at the pending output limit
      Given the server is configured with a pending output limit of 65536 bytes
      And a well-behaved client is online and keeps exchanging messages with another
      And bob is online and has stopped reading
      And alice is online
      When alice sends bob messages of 4000 bytes until the server answers "OK queued"
      Then bob's connection has been dropped
      And the well-behaved client was served throughout, and still is

    @HOST-1 @AUTH-5 @AUTH-6 @AUTH-10 @WIRE-15 @must @process
    Scenario: An AUTH brute force is cut off after three failures, on every new connection again
      Given alice is online
      And a well-behaved client is online and keeps exchanging messages with another
      When mallory tries 5 wrong secrets for alice in one write on each of 10 connections
      Then each of those connections gets 3 replies "ERR auth-failed" and nothing else, and is closed
      And alice is still connected
      # Behind Tor every client comes from the same address: a newcomer must still get in.
      And carol is online
      And the well-behaved client was served throughout, and still is

    @HOST-1 @must
    Scenario: Thousands of connections opened and dropped in every way leave the server serving
      Given a well-behaved client is online and keeps exchanging messages with another
      When 2000 clients connect and disconnect in every way: at once, after their reply, mid-line without reading, and by reset
      Then every one of them that waited for its reply got "PONG"
      And the well-behaved client was served throughout, and still is

    @HOST-1 @QUEUE-2 @must
    Scenario: A storm of SENDs to an offline recipient fills its queue to the cap, then gets ERR queue-full
      Given bob is registered
      And alice is online
      And a well-behaved client is online and keeps exchanging messages with another
      When alice sends 1200 messages to bob in one write
      Then alice receives 1000 replies "OK queued"
      And alice receives 200 replies "ERR queue-full"
      And bob, once online, receives the 1000 messages from alice in order and no other
      And the well-behaved client was served throughout, and still is

    @HOST-1 @CMD-8 @CMD-9 @CMD-11 @must @process
    Scenario: Names and secrets at their length limits are accepted, and one more is ERR syntax
      Given a well-behaved client is online and keeps exchanging messages with another
      When each of these AUTH lines is sent on a new connection:
        | name length | secret bytes | secret made of | reply         |
        | 32          | 8            | k              | OK registered |
        | 33          | 8            | k              | ERR syntax    |
        | 31          | 7            | k              | ERR syntax    |
        | 30          | 128          | k              | OK registered |
        | 29          | 129          | k              | ERR syntax    |
        | 28          | 128          | é              | OK registered |
        | 27          | 129          | é              | ERR syntax    |
        | 1           | 8            | k              | OK registered |
      Then each AUTH line got the reply shown beside it
      And each name registered that way authenticates with its whole secret, and not with its last byte changed
      And the well-behaved client was served throughout, and still is

  Rule: HOST-2 (MUST) framing independent of write boundaries: 1-byte writes, split UTF-8, thousands of lines in one write
    "How a client's bytes are split into writes does not change what they mean: a line written
    one byte per write, a UTF-8 character split between writes, and thousands of lines in one
    write are framed and answered exactly as the same bytes written line by line."

    @HOST-2 @WIRE-4 @must
    Scenario: Lines written one byte at a time are framed and answered as whole lines
      Given bob is online
      And mallory is connected
      And a well-behaved client is online and keeps exchanging messages with another
      When mallory sends "AUTH mallory <secret of mallory>\nSEND bob héllo ✓ 𝄞\r\nPING\n" one byte per write
      Then mallory receives the replies:
        """
        OK registered
        OK delivered
        PONG
        """
      And bob receives "MSG mallory héllo ✓ 𝄞"
      And the well-behaved client was served throughout, and still is

    @HOST-2 @WIRE-4 @must
    Scenario: Characters and line ends split between reads are framed as if written whole
      Given bob is online
      And mallory is connected
      And a well-behaved client is online and keeps exchanging messages with another
      When mallory sends "AUTH mallory <secret of mallory>\r\nSEND bob é ✓ 𝄞\r\nPING\r\n" split inside every character and line end, each part read by the server before the next is written
      Then mallory receives the replies:
        """
        OK registered
        OK delivered
        PONG
        """
      And bob receives "MSG mallory é ✓ 𝄞"
      And the well-behaved client was served throughout, and still is

    @HOST-2 @WIRE-9 @must
    Scenario: Thousands of commands in one write each get their reply, in order
      Given bob is online
      And alice is online
      And a well-behaved client is online and keeps exchanging messages with another
      When alice sends 6000 commands of six kinds to bob in one write
      Then alice receives each command's reply, in the order sent
      And bob receives the 1000 messages from alice in order
      And the well-behaved client was served throughout, and still is

  Rule: HOST-3 (MUST) an ended connection (closed, reset, auth timeout, dropped) no longer counts towards --max-connections
    "A connection that has ended, however it ended (closed by the client, by a reset, by the
    auth timeout, or dropped by the server), no longer counts towards `--max-connections`; one
    the server ended stops counting when the server closes it, not when the client closes its
    own side: after thousands of silent connections have been closed by the auth timeout, as
    many new connections as the limit allows are accepted and served, whether or not their
    clients have closed yet."

    @HOST-3 @AUTH-11 @LIMIT-3 @must @process
    Scenario: Thousands of silent connections are closed by the auth timeout, and their slots are free again
      Given the server is configured with an auth timeout of 2 seconds
      And the server is configured with a connection limit of 5002
      And a well-behaved client is online and keeps exchanging messages with another
      When 5000 clients connect and stay silent
      Then each of them receives "ERR auth-timeout" and is disconnected
      # The kit keeps its side of those 5000 connections open (a vanished client never closes).
      And 5000 new connections are accepted and served
      And the well-behaved client was served throughout, and still is

    @HOST-3 @must @process
    Scenario: Connections the clients end in every way, reset included, free their slots
      Given the server is configured with a connection limit of 203
      And a well-behaved client is online and keeps exchanging messages with another
      And alice is connected
      When 200 clients connect and disconnect in every way: at once, after their reply, mid-line without reading, and by reset
      And alice receives "PONG" when she sends "PING"
      Then within 3 seconds, 200 new connections are accepted and served
      And the well-behaved client was served throughout, and still is
