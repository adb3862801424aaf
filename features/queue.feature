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
    or will read it. Operators must assume message loss is possible."

    @QUEUE-6 @may @process
    Scenario: The kit records that a message answered OK queued was lost by a restart
      Given bob is registered
      And alice is online
      And alice has queued 1 message for bob
      When the server is restarted
      Then the kit records whether bob, once online again, receives the message queued before the restart
