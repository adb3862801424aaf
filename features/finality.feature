Feature: FINAL — design finality
  What Litsxg is and will stay (spec/litsxg.md §13): plaintext, one authentication model, Tor in
  front of one TCP listener, no end-to-end encryption, no extension, no version, no negotiation,
  nothing undocumented. A build that differs here is not a Litsxg build.

  Rule: FINAL-1 (MUST) plaintext protocol; no TLS
    "The protocol is plaintext: the server speaks only the UTF-8 line protocol of this spec and
    offers no TLS or other encryption layer (`STARTTLS` gets `ERR unknown-command`; a TLS
    ClientHello gets no TLS handshake)."

    @FINAL-1 @must
    Scenario: STARTTLS is an unknown command
      Given alice is connected
      When alice sends "STARTTLS"
      Then alice receives "ERR unknown-command"

    @FINAL-1 @must
    Scenario: A TLS ClientHello gets no TLS handshake, only the line protocol's answer
      Given alice is connected
      When alice sends a TLS ClientHello followed by LF
      Then alice receives "ERR bad-encoding"
      And alice is still connected

  Rule: FINAL-2 (MUST NOT) no end-to-end encryption
    "There is no end-to-end encryption: the server relays `<text>` as it was sent and offers no
    key exchange or encryption command."

    @FINAL-2 @must
    Scenario: There is no key exchange or encryption command
      Given alice is online
      When alice sends these lines one by one:
        | line                  | reply               |
        | KEY                   | ERR unknown-command |
        | KEYX alice            | ERR unknown-command |
        | PUBKEY bob            | ERR unknown-command |
        | E2E on                | ERR unknown-command |
        | ENCRYPT bob hello     | ERR unknown-command |
        | OTR bob               | ERR unknown-command |
        | SEND alice ?OTRv3?    | OK delivered        |
      Then each line gets the reply shown beside it

    @FINAL-2 @ROUTE-5 @must
    Scenario: The server relays the text as it was sent
      Given alice and bob are online
      When alice sends a message "-----BEGIN PGP MESSAGE----- not decrypted, not wrapped" to bob
      Then bob receives "MSG alice -----BEGIN PGP MESSAGE----- not decrypted, not wrapped"

  Rule: FINAL-3 (MUST) authentication model fixed: name + secret, first use claims
    "The authentication model is final: a name and a secret through `AUTH`, the first use
    claiming the name; no other mechanism (certificates, tokens, SASL, secret change) exists."

    @FINAL-3 @must
    Scenario: No authentication mechanism but AUTH <name> <secret>
      Given alice is connected
      When alice sends these lines one by one:
        | line                         | reply               |
        | AUTHENTICATE PLAIN           | ERR unknown-command |
        | SASL PLAIN                   | ERR unknown-command |
        | LOGIN alice secret-123       | ERR unknown-command |
        | TOKEN abcdef0123456789       | ERR unknown-command |
        | CERT                         | ERR unknown-command |
        | REGISTER alice secret-123    | ERR unknown-command |
        | AUTH PLAIN                   | ERR syntax          |
        | AUTH alice secret-123 token  | ERR syntax          |
        | AUTH alice secret-123        | OK registered       |
      Then each line gets the reply shown beside it

  Rule: FINAL-4 (MUST NOT) Tor-based transport; no other transport
    "The transport is Tor in front of one plain TCP listener: a build MUST NOT offer any other
    transport (no UDP, HTTP, WebSocket, or second listener)."

    @FINAL-4 @must
    Scenario: An HTTP request on the client port is just an unknown command
      Given alice is connected
      When alice sends these lines in one write:
        """
        GET / HTTP/1.1
        Host: localhost
        Upgrade: websocket

        """
      Then alice receives the replies:
        """
        ERR unknown-command
        ERR unknown-command
        ERR unknown-command
        """
      And alice gets no reply

    @FINAL-4 @OPS-1 @must @process
    Scenario: No UDP socket and no second listener
      Given the server is running
      When alice is online
      Then the server's processes listen on no socket but the client port

  Rule: FINAL-5 (MUST NOT) no protocol extensibility
    "There is no protocol extensibility: no extension mechanism exists; every command word other
    than the four of CMD-1 gets `ERR unknown-command`, and no command takes options beyond its
    arguments."

    @FINAL-5 @FINAL-8 @must
    Scenario: Every command word but the four is unknown
      Given alice is online
      When alice sends these lines one by one:
        | line               | reply               |
        | VERSION            | ERR unknown-command |
        | CAP LS             | ERR unknown-command |
        | STARTTLS           | ERR unknown-command |
        | HELP               | ERR unknown-command |
        | LIST               | ERR unknown-command |
        | WHO                | ERR unknown-command |
        | HISTORY bob        | ERR unknown-command |
        | KEY                | ERR unknown-command |
        | EXT foo            | ERR unknown-command |
        | FEATURES           | ERR unknown-command |
        | OPTIONS            | ERR unknown-command |
        | MODE +x            | ERR unknown-command |
        | JOIN #room         | ERR unknown-command |
        | NICK bob           | ERR unknown-command |
        | PRIVMSG bob :hi    | ERR unknown-command |
        | ACK 1              | ERR unknown-command |
        | SUBSCRIBE bob      | ERR unknown-command |
        | X-LITSXG-EXT       | ERR unknown-command |
        | UPGRADE            | ERR unknown-command |
        | COMPRESS deflate   | ERR unknown-command |
        | SENDFILE bob x     | ERR unknown-command |
        | MSG bob hi         | ERR unknown-command |
        | OK                 | ERR unknown-command |
        | PONG               | ERR unknown-command |
      Then each line gets the reply shown beside it

    @FINAL-5 @must
    Scenario: No command takes options beyond its arguments
      Given alice is online
      When alice sends these lines one by one:
        | line                                  | reply      |
        | PING --verbose                        | ERR syntax |
        | QUIT --force                          | ERR syntax |
        | SEND --urgent alice hello             | ERR syntax |
        | AUTH alice <secret of alice> --remember | ERR syntax |
      Then each line gets the reply shown beside it

  Rule: FINAL-6 (MUST NOT) no protocol versioning
    "There is no protocol versioning and it will not be introduced: no version appears on the
    wire, there is no greeting, and `VERSION` gets `ERR unknown-command`."

    @FINAL-6 @must
    Scenario: No version on the wire: no greeting, and VERSION is unknown
      Given the server is running
      When alice connects
      Then nothing arrives at alice
      And alice receives "ERR unknown-command" when she sends "VERSION"

    @FINAL-6 @must
    Scenario: No reply names a version in its free text
      Given alice and bob are online
      And carol is connected
      When alice, bob and carol exercise every command
      Then no reply alice, bob and carol received carries a version in its free text

  Rule: FINAL-7 (MUST NOT) no negotiation
    "Nothing in the protocol may be negotiated: there is no capability negotiation, and `CAP`
    gets `ERR unknown-command`."

    @FINAL-7 @must
    Scenario: Nothing can be negotiated
      Given alice is connected
      When alice sends these lines one by one:
        | line            | reply               |
        | CAP             | ERR unknown-command |
        | CAP LS 302      | ERR unknown-command |
        | CAP REQ :sasl   | ERR unknown-command |
        | CAPABILITY      | ERR unknown-command |
        | NEGOTIATE       | ERR unknown-command |
        | HELLO 2         | ERR unknown-command |
        | PROTOCOL 2      | ERR unknown-command |
        | PING            | PONG                |
      Then each line gets the reply shown beside it

  Rule: FINAL-8 (MUST NOT) does exactly what is documented, nothing more
    "The tool does exactly what is documented, and nothing more: a build MUST NOT offer any
    command word, reply, server-initiated line, listening socket, file in its data or working
    directory, or line on stdout that this spec does not describe."

    @FINAL-8 @WIRE-10 @must
    Scenario: A whole session uses no reply the spec does not describe
      Given alice and bob are online
      And carol is connected
      When alice, bob and carol exercise every command
      Then every reply alice, bob and carol received has a form the spec names

    @FINAL-8 @OPS-1 @must @process
    Scenario: No listener the spec does not describe
      Given alice is online
      When bob is online
      Then the server's processes listen on no socket but the client port
