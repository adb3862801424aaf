Feature: QUEUE — the offline queue
  Messages for known recipients who are not connected wait in memory, within a cap, and are
  lost on any stop (spec/litsxg.md §5).

  Rule: QUEUE-1 (MUST) SEND to known offline recipient: kept in memory, OK queued
    "The server buffers offline messages in memory: `SEND` to a known recipient that is not
    connected keeps the message in memory and is answered `OK queued`."

    @QUEUE-1 @must
    Scenario: A message to a known recipient who is offline is queued
      Given bob is registered
      And alice is online
      When alice sends a message "for later" to bob
      Then alice receives "OK queued"
      And bob, once online, receives "MSG alice for later" and no other message

    @QUEUE-1 @must
    Scenario: Each of 40 messages answered OK queued is kept
      Given bob is registered
      And alice has queued 40 messages for bob
      When bob comes online
      Then bob receives the 40 messages from alice in order, and no other message

  Rule: QUEUE-2 (MUST) queue cap --max-queued (1000) per recipient: ERR queue-full, message dropped
    "When the recipient already has `--max-queued` (default 1000) messages waiting, counted over
    all senders, `SEND` is answered `ERR queue-full` and the message is dropped."

    @QUEUE-2 @must @process
    Scenario: Past the queue limit, counted over all senders, SEND is answered ERR queue-full
      Given the server is configured with a queue limit of 5 messages
      And bob is registered
      And alice and carol have queued 5 messages for bob between them
      When alice sends a message "one too many" to bob
      Then alice receives "ERR queue-full"

    @QUEUE-2 @must @process
    Scenario: A message refused with ERR queue-full is dropped
      Given the server is configured with a queue limit of 5 messages
      And bob is registered
      And alice has queued 5 messages for bob and had one more refused
      When bob comes online
      Then bob receives the 5 messages from alice in order, and no other message

  Rule: QUEUE-3 (MUST) on AUTH: flush queued messages oldest first, then live ones
    "Right after `OK registered` or `OK authenticated`, the connection receives every message
    queued for its name as `MSG` lines, oldest first, and only then live messages."

    @QUEUE-3 @must
    Scenario: Right after OK authenticated come the queued messages, oldest first
      Given bob is registered
      And alice is online
      And alice has queued 3 messages for bob
      When bob comes online and pings at once
      Then bob receives exactly these lines in this order:
        """
        OK authenticated
        MSG alice message 1 from alice
        MSG alice message 2 from alice
        MSG alice message 3 from alice
        PONG
        """

    @QUEUE-3 @must
    Scenario: Fifty queued messages are flushed each once, oldest first, and nothing else
      Given bob is registered
      And alice has queued 50 messages for bob
      When bob comes online
      Then bob receives the 50 messages from alice in order, and no other message

    @QUEUE-3 @must
    Scenario: Messages queued by several senders are flushed oldest first across senders
      Given bob is registered
      And alice and carol have queued 6 messages for bob between them
      When bob comes online and pings at once
      Then bob receives exactly these lines in this order:
        """
        OK authenticated
        MSG alice message 1 from alice
        MSG carol message 1 from carol
        MSG alice message 2 from alice
        MSG carol message 2 from carol
        MSG alice message 3 from alice
        MSG carol message 3 from carol
        PONG
        """

  Rule: QUEUE-4 (MUST) flushed messages are not delivered again
    "A flushed message leaves the queue: a later session of the same name does not receive it
    again."

    @QUEUE-4 @must
    Scenario: A flushed message is not delivered again
      Given bob is registered
      And alice has queued 50 messages for bob
      And bob has come online and received the 50 messages from alice in order, and no other message
      When bob comes online again on a new connection
      Then bob receives no message

  Rule: QUEUE-5 (MUST) queued messages lost on any stop
    "Queued messages are lost on any stop of the server (SIGTERM, SIGINT, failure, upgrade):
    after a restart no message queued before it is delivered."

    @QUEUE-5 @must @process
    Scenario Outline: Queued messages are lost when the server stops: <stop>
      Given bob is registered
      And alice is online
      And alice has queued 2 messages for bob
      When the server <stop> and is started again
      Then bob receives no message once he is online again

      Examples:
        | stop                  |
        | receives SIGTERM      |
        | receives SIGINT       |
        | process is killed     |

  Rule: QUEUE-6 (MAY) message loss possible; OK is no end-to-end delivery guarantee
    "Messages MAY be lost (queue-full, stop, failure, slow consumer): `OK delivered` and `OK
    queued` report what the server did with a message, not that the recipient's client has read
    or will read it. Message loss is possible and operators are told to assume it (OPS-11)."

    @QUEUE-6 @may @process
    Scenario: The kit records that a message answered OK queued was lost by a restart
      Given bob is registered
      And alice is online
      And alice has queued 1 message for bob
      When the server is restarted
      Then the kit records whether bob, once online again, receives the message queued before the restart

  Rule: QUEUE-7 (MUST) AUTH answered after the client half-closed still flushes and empties the queue
    "An `AUTH` answered after its client's end of stream (WIRE-16) takes full effect: if it
    succeeds, the connection is authenticated, replaces any older session (AUTH-9), and receives
    every message queued for the name after its `OK`, and these messages leave the queue
    (QUEUE-4); the connection is then closed and the name goes offline (ROUTE-10)."

    @QUEUE-7 @WIRE-16 @must
    Scenario: An AUTH answered after the client's half-close still delivers the queue, which is then empty
      Given bob is registered
      And alice has queued 3 messages for bob
      When bob authenticates and half-closes the connection at once
      Then bob receives "OK authenticated"
      And bob receives the 3 messages from alice in order
      And bob is disconnected
      And bob receives no message once he is online again

  Rule: QUEUE-8 (MUST) queue limit per recipient; queued messages never expire
    "The queue limit of QUEUE-2 is per recipient name. Queued messages do not expire: each stays
    queued until it is flushed (QUEUE-3) or the server stops (QUEUE-5). A `SEND` refused with
    `ERR queue-full` changes nothing in the queue."

    @QUEUE-8 @must @process
    Scenario: The queue limit counts per recipient: a full queue for one name refuses nothing for another
      Given the server is configured with a queue limit of 2 messages
      And bob and carol are registered
      And alice has queued 2 messages for bob
      When alice sends a message "for carol" to carol
      Then alice receives "OK queued"
      When alice sends a message "one too many" to bob
      Then alice receives "ERR queue-full"

  Rule: QUEUE-9 (MUST) queue flush not counted against max-pending-bytes; a slow reader gets every queued message
    "The flush of QUEUE-3 does not count against `--max-pending-bytes` until its lines have been
    handed to the operating system: a client that authenticates into a full queue (1000 messages
    of up to 4126 bytes, about 4 MB, more than the default 1 MiB) and reads at its own pace
    receives every queued message and is not dropped under LIMIT-4. The flush's memory is
    already bounded by `--max-queued`. Live `MSG` lines and replies produced after the flush
    count as usual."

    @QUEUE-9 @must
    Scenario: A queue flush of 4 MB reaches a client that reads slowly, and a live message after it too
      Given dave is registered
      And carol has queued 1000 messages of 4000 bytes for dave
      When dave comes online with a small receive buffer and stops reading
      And carol sends a message "still live" to dave
      Then carol receives "OK delivered"
      And once dave reads again, he receives the 1000 long messages from carol in order, then "MSG carol still live"
