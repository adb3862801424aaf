Feature: WIRE — transport, framing, encoding and replies
  How bytes travel between a client and the server, and the shape and order of the lines the
  server writes (spec/litsxg.md §1). Every scenario talks to a fresh server on its own port.

  Rule: WIRE-1 (MUST) TCP; one connection carries one session and its state
    "The server accepts incoming client connections over TCP. One TCP connection carries exactly
    one client session; the session's state (whether and as whom it is authenticated, its count
    of failed `AUTH`s, its auth timer) belongs to that connection alone."

    @WIRE-1 @must
    Scenario: Authentication belongs to the connection that authenticated
      Given alice is online
      And alice's second connection is connected
      When alice's second connection sends "SEND alice hello"
      Then alice's second connection receives "ERR not-authenticated"

  Rule: WIRE-2 (MUST) default bind is loopback 127.0.0.1 only
    "When started without `--bind`, the server listens on the loopback address `127.0.0.1` only,
    so that on a Tor host only the local onion service can reach it."

    @WIRE-2 @must @process
    Scenario: Started without --bind, the server is reachable on 127.0.0.1 and nowhere else
      When the server is started without the flag for bind
      Then connecting to "127.0.0.1" on the server's port is served
      And the server cannot be reached on any address but 127.0.0.1

  Rule: WIRE-3 (MUST NOT) server never speaks Tor/SOCKS itself; works without Tor
    "The server itself MUST NOT speak Tor or SOCKS and MUST NOT need a running Tor to start or
    serve: it is a plain TCP listener, and Tor's `HiddenServicePort` forwards to it."

    @WIRE-3 @must
    Scenario: A SOCKS5 greeting is an ordinary bad line, not the start of a proxy handshake
      Given alice is connected
      When alice sends the raw bytes "\x05\x01\x00\n"
      Then alice receives "ERR bad-encoding"
      And alice is still connected

  Rule: WIRE-4 (MUST) client lines end in LF; one CR before LF is dropped
    "A client line is UTF-8 text ended by LF (0x0A). One CR (0x0D) directly before that LF is
    dropped before the line is examined, so CRLF-terminated lines are accepted; any other CR is
    a control character (WIRE-7, WIRE-8)."

    @WIRE-4 @must
    Scenario: A line ended by CR LF is accepted
      Given alice is connected
      When alice sends "PING\r"
      Then alice receives "PONG"

    @WIRE-4 @WIRE-8 @must
    Scenario: A CR anywhere but directly before the LF is a control character
      Given alice is connected
      When alice sends these lines one by one:
        | line       | reply            |
        | PI\rNG     | ERR bad-encoding |
        | PING\r\r   | ERR bad-encoding |
        | \rPING     | ERR bad-encoding |
        | PING       | PONG             |
      Then each line gets the reply shown beside it

  Rule: WIRE-5 (MUST) server lines are UTF-8 ending in a bare LF
    "Every line the server writes is valid UTF-8 ended by a single LF, with no CR before it.
    (The brief states its framing for lines in general; this spec applies it to server lines.)"

    @WIRE-5 @must
    Scenario: Server lines are UTF-8 ended by a bare LF
      Given alice and bob are online
      When alice sends a message "héllo wörld ✓ 𝄞" to bob
      Then bob receives "MSG alice héllo wörld ✓ 𝄞"
      And every line bob received ended in a bare LF and was valid UTF-8
      And every line alice received ended in a bare LF and was valid UTF-8

    @WIRE-5 @must
    Scenario: Replies of every kind, errors included, end in a bare LF
      Given alice is online
      When alice sends these lines in one write:
        """
        PING
        NOPE
        SEND nobody hello
        SEND alice
        AUTH alice <secret of alice>
        QUIT
        """
      Then alice receives exactly these lines in this order:
        """
        PONG
        ERR unknown-command
        ERR unknown-recipient
        ERR syntax
        ERR already-authenticated
        OK bye
        """
      And every line alice received ended in a bare LF and was valid UTF-8

  Rule: WIRE-6 (MUST) empty line ignored, no reply
    "An empty line (no bytes before the terminator once a CR is dropped) is ignored and gets no
    reply."

    @WIRE-6 @must
    Scenario: An empty line, with or without its CR, gets no reply
      Given alice is connected
      When alice sends the raw bytes "\n\r\n\n"
      Then alice gets no reply

    @WIRE-6 @must
    Scenario: A line of spaces or TAB is not empty: it is answered
      Given alice is connected
      When alice sends these lines one by one:
        | line       | reply               |
        | \x20       | ERR unknown-command |
        | \x20\x20   | ERR unknown-command |
        | \t         | ERR unknown-command |
        | \x20\r     | ERR unknown-command |
        | PING       | PONG                |
      Then each line gets the reply shown beside it

  Rule: WIRE-7 (MUST) invalid UTF-8 or control char: ERR bad-encoding, connection stays open
    "A line that is not valid UTF-8, or that holds a control character other than TAB, is
    answered `ERR bad-encoding` and otherwise ignored; the connection stays open."

    @WIRE-7 @must
    Scenario: A line that is not valid UTF-8 is answered ERR bad-encoding and the connection stays open
      Given alice is connected
      When alice sends these lines one by one:
        | line                    | reply            |
        | PING \xFF               | ERR bad-encoding |
        | \xC0\x80                | ERR bad-encoding |
        | SEND bob \xED\xA0\x80   | ERR bad-encoding |
        | SEND bob \xF4\x90\x80\x80 | ERR bad-encoding |
        | SEND bob caf\xC3        | ERR bad-encoding |
        | \x80PING                | ERR bad-encoding |
        | PING                    | PONG             |
      Then each line gets the reply shown beside it

  Rule: WIRE-8 (MUST) control character = Cc (U+0000-001F, U+007F, U+0080-009F) except TAB
    ""Control character" means any code point of Unicode category Cc, that is U+0000-U+001F,
    U+007F and U+0080-U+009F; TAB (U+0009) is the only one a line may hold."

    @WIRE-8 @WIRE-7 @must
    Scenario: Every Cc code point but TAB is a control character
      Given alice is connected
      When alice sends these lines one by one:
        | line                  | reply                 |
        | PING\x00              | ERR bad-encoding      |
        | \x01PING              | ERR bad-encoding      |
        | SEND bob a\x1Fb       | ERR bad-encoding      |
        | SEND bob a\x7Fb       | ERR bad-encoding      |
        | SEND bob a\u{85}b     | ERR bad-encoding      |
        | SEND bob a\u{9F}b     | ERR bad-encoding      |
        | SEND bob a\tb         | ERR not-authenticated |
        | SEND bob a\u{A0}b     | ERR not-authenticated |
        | SEND bob a\u{200B}b   | ERR not-authenticated |
        | SEND bob a\u{FEFF}b   | ERR not-authenticated |
        | SEND bob a\u{E000}b   | ERR not-authenticated |
        | SEND bob a\u{2028}b   | ERR not-authenticated |
        | PING                  | PONG                  |
      Then each line gets the reply shown beside it

  Rule: WIRE-9 (MUST) exactly one reply per non-empty line, in order
    "Every non-empty line a client sends gets exactly one reply line, and replies are written in
    the order the client sent the lines (subject to WIRE-15)."

    @WIRE-9 @must
    Scenario: Pipelined lines get one reply each, in order, and an empty line none
      Given alice is connected
      When alice sends these lines in one write:
        """
        PING
        NOPE
        SEND bob

        SEND bob hello
        QUIT now
        PING
        """
      Then alice receives exactly these lines in this order:
        """
        PONG
        ERR unknown-command
        ERR syntax
        ERR not-authenticated
        ERR syntax
        PONG
        """
      And alice gets no reply

    @WIRE-9 @must
    Scenario: Lines pipelined behind an AUTH are answered after it, in the order sent
      Given bob is online
      And alice is connected
      When alice sends these lines in one write:
        """
        SEND bob before
        AUTH alice <secret of alice>
        PING
        SEND bob after
        NOPE
        """
      Then alice receives exactly these lines in this order:
        """
        ERR not-authenticated
        OK registered
        PONG
        OK delivered
        ERR unknown-command
        """
      And bob receives "MSG alice after"
      And bob receives no message

  Rule: WIRE-10 (MUST) reply forms: OK <word>, PONG, ERR <code>
    "A reply is `OK <word>`, `PONG`, or `ERR <code>`, with the words and codes this spec names."

    @WIRE-10 @must
    Scenario: Every reply is OK <word>, PONG or ERR <code> with a word or code the spec names
      Given alice and bob are online
      When alice sends these lines in one write:
        """
        PING
        SEND bob hello
        SEND nobody hello
        AUTH alice <secret of alice>
        NOPE
        SEND bob
        QUIT
        """
      Then alice receives exactly these lines in this order:
        """
        PONG
        OK delivered
        ERR unknown-recipient
        ERR already-authenticated
        ERR unknown-command
        ERR syntax
        OK bye
        """
      And every reply alice received has a form the spec names

  Rule: WIRE-11 (MAY) free text may follow the reply word/code after one space
    "After the word of an `OK` reply or the code of an `ERR` reply, the reply MAY carry free
    text separated from it by one space; clients and the conformance kit look only at the first
    two tokens of such a line. `PONG` has neither word nor code and carries no free text
    (WIRE-18)."

    @WIRE-11 @may
    Scenario: The kit records whether replies carry free text after the word or code
      Given alice is online
      When alice sends these lines in one write:
        """
        NOPE
        SEND nobody hello
        AUTH alice
        """
      Then the kit records whether the replies alice received carry free text

  Rule: WIRE-12 (MAY) MSG lines may interleave between replies
    "`MSG` lines MAY arrive between any two replies; clients tell them apart from replies by the
    first token."

    @WIRE-12 @may
    Scenario: The kit records whether MSG lines arrive between replies
      Given alice and bob are online
      When bob sends alice 20 messages in one write while alice sends 5 PINGs in one write
      Then the kit records whether MSG lines arrived between alice's replies

  Rule: WIRE-13 (MUST NOT) no greeting on connect
    "There is no greeting: on accepting a connection the server MUST NOT write anything before
    the client's first line, except the server-initiated `ERR` of WIRE-14 (`server-full`, or
    `auth-timeout` when the client stays silent)."

    @WIRE-13 @must
    Scenario: Nothing arrives after connecting until the client speaks
      Given the server is running
      When alice connects
      Then nothing arrives at alice
      And alice is still connected

  Rule: WIRE-14 (MUST NOT) only unsolicited lines: MSG, and ERR session-replaced/server-full/auth-timeout/line-too-long/slow-consumer before close
    "The server MUST NOT write any line that is not a reply, except `MSG <from> <text>` and a
    single `ERR <code>` written directly before the server closes a connection on its own; that
    code is one of `session-replaced`, `server-full`, `auth-timeout`, `line-too-long`,
    `slow-consumer` (the last added by decision, LIMIT-6)."

    @WIRE-14 @must
    Scenario: An authenticated connection receives no unsolicited line but MSG
      Given alice and bob are online
      When bob sends 3 messages to alice in one write
      Then alice receives the 3 messages from bob in order
      And alice receives nothing else
      And bob receives 3 replies "OK delivered"
      And bob receives nothing else

  Rule: WIRE-15 (MUST) after a close decision, later pipelined lines get no reply
    "Once the server has decided to close a connection (after `OK bye`, the 3rd `ERR
    auth-failed`, `ERR line-too-long`, or a server-initiated `ERR`), it reads and answers no
    further line from it and closes it; lines the client pipelined after that point get no
    reply. (Resolves the brief's "every line gets a reply" against its close rules.)"

    @WIRE-15 @must
    Scenario: Lines pipelined after QUIT get no reply
      Given alice is connected
      When alice sends these lines in one write:
        """
        QUIT
        PING
        PING
        """
      Then alice receives "OK bye" and is disconnected

    @WIRE-15 @AUTH-5 @must
    Scenario: Lines pipelined after the third failed AUTH get no reply
      Given bob is registered
      And alice is connected
      When alice sends these lines in one write:
        """
        AUTH bob wrong-secret-1
        AUTH bob wrong-secret-2
        AUTH bob wrong-secret-3
        PING
        """
      Then alice receives the replies:
        """
        ERR auth-failed
        ERR auth-failed
        ERR auth-failed
        """
      And alice is disconnected

  Rule: WIRE-16 (MUST) end of stream: answer complete lines, drop unterminated rest silently, flush, close
    "At end of stream from the client (including a half-close), the server answers every
    complete line received before it, discards an unterminated remainder without a reply,
    flushes the pending replies, and then closes the connection."

    @WIRE-16 @must
    Scenario: At end of stream complete lines are answered and the unterminated rest is dropped
      Given alice is connected
      When alice half-closes the connection after sending the raw bytes "PING\nPING\nPIN"
      Then alice receives exactly these lines in this order:
        """
        PONG
        PONG
        """
      And alice is disconnected

    @WIRE-16 @must
    Scenario: At end of stream, lines still waiting behind an AUTH are answered before the close
      Given bob is online
      And alice is connected
      When alice half-closes the connection after sending the raw bytes "AUTH alice <secret of alice>\nPING\nSEND bob hi\nPING\nPIN"
      Then alice receives exactly these lines in this order:
        """
        OK registered
        PONG
        OK delivered
        PONG
        """
      And alice is disconnected
      And bob receives "MSG alice hi"

  Rule: WIRE-17 (MUST) server MSG lines may exceed 4096 bytes (max 4126) and are written whole
    "The 4096-byte limit (LIMIT-1) applies to lines a client sends. A `MSG` line the server
    writes may be longer (at most 4126 bytes: a 32-character sender and the longest text a
    1-character recipient name allows) and is written whole. (Gap in the brief, resolved here.)"

    @WIRE-17 @LIMIT-1 @must @process
    Scenario: A MSG line longer than 4096 bytes is written whole
      Given abcdefghijklmnopqrstuvwxyz012345 and b are online
      When abcdefghijklmnopqrstuvwxyz012345 sends b a message making a line of exactly 4096 bytes
      Then abcdefghijklmnopqrstuvwxyz012345 receives "OK delivered"
      And b receives that message whole, in a MSG line of 4126 bytes

  Rule: WIRE-18 (MUST) PING is answered exactly PONG, no free text
    "The reply to `PING` is exactly the line `PONG`: nothing follows it on its line, so that a
    liveness probe (OPS-4) may compare the whole line. (The brief lets free text follow "the
    word or code", which `PONG` does not have.)"

    @WIRE-18 @must
    Scenario: PING is answered by the line PONG and nothing else, before and after authentication
      Given alice is connected
      When alice sends "PING"
      Then the next line alice receives is exactly "PONG"
      When alice authenticates
      Then alice receives "OK registered"
      When alice sends "PING"
      Then the next line alice receives is exactly "PONG"

  Rule: WIRE-19 (MUST) the last line before a server close reaches a reading client; no reset first
    "The last line the server writes before it closes a connection on its own (`OK bye`, the 3rd
    `ERR auth-failed`, or a server-initiated `ERR`) reaches a client that reads, even when that
    client has sent further bytes the server will not read: the server does not reset the
    connection before its output has been sent, and the client sees that line and then the end
    of the stream."

    @WIRE-19 @must
    Scenario: OK bye reaches a client that sent forty thousand more lines after its QUIT, then the stream ends
      Given alice is online
      When alice sends QUIT followed by 40000 PING lines in one write
      Then alice receives "OK bye" and then the end of the stream, not a reset

    @WIRE-19 @must
    Scenario: ERR line-too-long reaches a client that keeps sending, then the stream ends
      Given alice is connected
      When alice sends the raw bytes "<200000 × x>"
      Then alice receives "ERR line-too-long" and then the end of the stream, not a reset
