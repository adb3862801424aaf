Feature: CMD — command parsing
  How a line becomes a command, what makes it well-formed, and which error wins when several
  apply (spec/litsxg.md §2). Literal wire text is used throughout: here the bytes are the
  behaviour. In tables, \x20 is a space at the edge of a cell and <N × s> is s repeated N times.

  Rule: CMD-1 (MUST) unknown or wrong-case command word: ERR unknown-command
    "The command word is the part of a line before its first space (the whole line if it has
    none). The only known command words are `AUTH`, `SEND`, `PING` and `QUIT`, upper case and
    case-sensitive; any other word (for example `VERSION`, `CAP`, `STARTTLS`, `HELP`, `LIST`,
    `ping`, or the empty word of a line that starts with a space) is answered `ERR
    unknown-command`."

    @CMD-1 @must
    Scenario: Unknown and wrong-case command words are answered ERR unknown-command
      Given alice is connected
      When alice sends these lines one by one:
        | line            | reply               |
        | VERSION         | ERR unknown-command |
        | CAP LS          | ERR unknown-command |
        | STARTTLS        | ERR unknown-command |
        | HELP            | ERR unknown-command |
        | LIST            | ERR unknown-command |
        | ping            | ERR unknown-command |
        | Ping            | ERR unknown-command |
        | auth alice x    | ERR unknown-command |
        | PINGPONG        | ERR unknown-command |
        | \x20PING        | ERR unknown-command |
      Then each line gets the reply shown beside it

    @CMD-1 @must
    Scenario: A line that starts with a space has an empty, unknown command word
      Given alice is online
      When alice sends " SEND alice hello"
      Then alice receives "ERR unknown-command"

  Rule: CMD-2 (MUST) known command, wrong arguments: ERR syntax
    "A known command with wrong arguments is answered `ERR syntax`."

    @CMD-2 @must
    Scenario: Known commands with wrong arguments are answered ERR syntax
      Given alice is connected
      When alice sends these lines one by one:
        | line                        | reply      |
        | AUTH                        | ERR syntax |
        | AUTH alice                  | ERR syntax |
        | SEND                        | ERR syntax |
        | PING pong                   | ERR syntax |
        | QUIT please                 | ERR syntax |
        | PING                        | PONG       |
      Then each line gets the reply shown beside it

  Rule: CMD-3 (MUST) tokens separated by exactly one space; extra spaces are ERR syntax
    "Tokens are separated by exactly one space (0x20). A doubled space between tokens, or a
    space at the end of the line, makes a known command malformed (`ERR syntax`), except inside
    the `<text>` of `SEND` (CMD-10)."

    @CMD-3 @must
    Scenario: Doubled, leading and trailing spaces between tokens make a line malformed
      Given alice is connected
      When alice sends these lines one by one:
        | line                         | reply      |
        | AUTH  alice secret-123       | ERR syntax |
        | AUTH alice  secret-123       | ERR syntax |
        | AUTH alice secret-123\x20    | ERR syntax |
        | AUTH\x20                     | ERR syntax |
        | SEND  bob hello              | ERR syntax |
        | SEND\x20                     | ERR syntax |
        | PING\x20                     | ERR syntax |
        | PING                         | PONG       |
      Then each line gets the reply shown beside it

  Rule: CMD-4 (MUST) check order: unknown-command, syntax, state, command
    "The checks apply in this order and the first that fails gives the reply: (1) is the command
    word known (`ERR unknown-command`); (2) are its arguments well-formed with no extra spaces
    (`ERR syntax`); (3) is the connection in the right state (`ERR not-authenticated`, `ERR
    already-authenticated`); (4) the command itself."

    @CMD-4 @must
    Scenario: Before authentication: unknown command, then syntax, then state
      Given alice is connected
      When alice sends these lines one by one:
        | line              | reply                 |
        | NOPE bob hello    | ERR unknown-command   |
        | SEND bob          | ERR syntax            |
        | SEND Bob hello    | ERR syntax            |
        | SEND bob hello    | ERR not-authenticated |
      Then each line gets the reply shown beside it

    @CMD-4 @must
    Scenario: After authentication: syntax, then state, then the command itself
      Given alice is online
      When alice sends these lines one by one:
        | line                      | reply                     |
        | AUTH alice                | ERR syntax                |
        | AUTH carol short          | ERR syntax                |
        | AUTH Carol secret-123     | ERR syntax                |
        | AUTH carol secret-123     | ERR already-authenticated |
        | SEND nobody hello         | ERR unknown-recipient     |
        | SEND alice hello          | OK delivered              |
      Then each line gets the reply shown beside it

  Rule: CMD-5 (MUST) line-level checks (length, encoding, empty) precede command checks
    "Line-level checks come before the command checks of CMD-4: first the length limit
    (LIMIT-2), then the encoding (WIRE-7), then the empty-line rule (WIRE-6)."

    @CMD-5 @must
    Scenario: The encoding check comes before the command checks
      Given alice is connected
      When alice sends these lines one by one:
        | line              | reply            |
        | NOPE \xFF         | ERR bad-encoding |
        | SEND bob\x00      | ERR bad-encoding |
        | PING \x7F         | ERR bad-encoding |
        | \x01              | ERR bad-encoding |
        | \x09              | ERR unknown-command |
      Then each line gets the reply shown beside it

    @CMD-5 @LIMIT-2 @must
    Scenario: The length check comes before the encoding check
      Given alice is connected
      When alice sends "NOPE \xFF<5000 × a>"
      Then alice receives "ERR line-too-long" and is disconnected

  Rule: CMD-6 (MUST) PING/QUIT with argument or trailing space: ERR syntax
    "`PING` and `QUIT` take no argument: `PING ` (with a trailing space) and `QUIT now` are
    answered `ERR syntax`."

    @CMD-6 @must
    Scenario: PING and QUIT take no argument
      Given alice is connected
      When alice sends these lines one by one:
        | line        | reply      |
        | PING\x20    | ERR syntax |
        | PING now    | ERR syntax |
        | QUIT now    | ERR syntax |
        | QUIT\x20    | ERR syntax |
        | PING        | PONG       |
      Then each line gets the reply shown beside it

  Rule: CMD-7 (MUST) malformed SEND before AUTH: ERR syntax
    "A malformed `SEND` on a connection that is not authenticated is answered `ERR syntax`, not
    `ERR not-authenticated`."

    @CMD-7 @must
    Scenario: A malformed SEND before AUTH is a syntax error, not a state error
      Given alice is connected
      When alice sends these lines one by one:
        | line                 | reply                 |
        | SEND                 | ERR syntax            |
        | SEND bob             | ERR syntax            |
        | SEND bob\x20         | ERR syntax            |
        | SEND -bob hello      | ERR syntax            |
        | SEND <33 × b> hello  | ERR syntax            |
        | SEND bob hello       | ERR not-authenticated |
      Then each line gets the reply shown beside it

  Rule: CMD-8 (MUST) name: 1-32 of [a-z0-9_-], starting with letter or digit
    "`<name>` is 1 to 32 characters from `[a-z0-9_-]`, the first a letter or a digit."

    @CMD-8 @AUTH-1 @must @process
    Scenario: Names are 1 to 32 characters of [a-z0-9_-], starting with a letter or a digit
      Given the server is running
      When each of these lines is sent on a new connection:
        | line                                              | reply         |
        | AUTH a secret-123                                 | OK registered |
        | AUTH 0abc secret-123                              | OK registered |
        | AUTH a_b-c secret-123                             | OK registered |
        | AUTH <32 × n> secret-123                          | OK registered |
        | AUTH <33 × m> secret-123                          | ERR syntax    |
        | AUTH Alice secret-123                             | ERR syntax    |
        | AUTH -abc secret-123                              | ERR syntax    |
        | AUTH _abc secret-123                              | ERR syntax    |
        | AUTH al.ice secret-123                            | ERR syntax    |
        | AUTH ålice secret-123                             | ERR syntax    |
      Then each line gets the reply shown beside it

  Rule: CMD-9 (MUST) secret: 8-128 UTF-8 bytes, no space, no control char incl. TAB
    "`<secret>` is 8 to 128 bytes counted in its UTF-8 encoding, with no space and no control
    character (TAB counts as a control character here)."

    @CMD-9 @must
    Scenario: Secrets are 8 to 128 bytes of UTF-8, without space or control character
      Given the server is running
      When each of these lines is sent on a new connection:
        | line                          | reply         |
        | AUTH s1 1234567               | ERR syntax    |
        | AUTH s2 12345678              | OK registered |
        | AUTH s3 <128 × a>             | OK registered |
        | AUTH s4 <129 × a>             | ERR syntax    |
        | AUTH s5 éééé                  | OK registered |
        | AUTH s6 ééé                   | ERR syntax    |
        | AUTH s7 <64 × é>              | OK registered |
        | AUTH s8 <65 × é>              | ERR syntax    |
        | AUTH s9 tab\tin-the-secret    | ERR syntax    |
      Then each line gets the reply shown beside it

  Rule: CMD-10 (MUST) SEND text = rest of line after name and one space, >=1 byte, spaces/TAB allowed
    "In `SEND <name> <text>`, `<text>` is everything after the single space that follows
    `<name>`: at least 1 byte, which may contain further spaces (leading, trailing, repeated)
    and TAB."

    @CMD-10 @ROUTE-5 @must
    Scenario: The text of SEND is the rest of the line, spaces and TAB included
      Given alice and bob are online
      When alice sends these messages to bob:
        | text                  |
        | hello                 |
        | \x20leading space     |
        | trailing space\x20    |
        | two  spaces           |
        | \x20                  |
        | \x20\x20\x20          |
        | tab\there\t           |
        | SEND bob nested       |
        | MSG carol not a reply |
        | héllo ✓ 𝄞             |
      Then bob receives each of them byte for byte, and the sender gets "OK delivered" for each

  Rule: CMD-11 (MUST) AUTH with wrong arg count or invalid name/secret: ERR syntax
    "`AUTH` with other than exactly two arguments, or whose `<name>` or `<secret>` breaks CMD-8
    or CMD-9, is answered `ERR syntax`."

    @CMD-11 @must
    Scenario: AUTH takes exactly a valid name and a valid secret
      Given alice is connected
      When alice sends these lines one by one:
        | line                           | reply         |
        | AUTH                           | ERR syntax    |
        | AUTH alice                     | ERR syntax    |
        | AUTH alice secret-123 extra    | ERR syntax    |
        | AUTH alice secret 123          | ERR syntax    |
        | AUTH ALICE secret-123          | ERR syntax    |
        | AUTH alice short               | ERR syntax    |
        | AUTH alice secret-123          | OK registered |
      Then each line gets the reply shown beside it

  Rule: CMD-12 (MUST) SEND without name/text or with invalid name: ERR syntax
    "`SEND` with no name, no text (`SEND bob`, `SEND bob `), or a `<name>` that breaks CMD-8 is
    answered `ERR syntax`."

    @CMD-12 @must
    Scenario: SEND needs a valid name and at least one byte of text
      Given alice is online
      When alice sends these lines one by one:
        | line                  | reply        |
        | SEND                  | ERR syntax   |
        | SEND alice            | ERR syntax   |
        | SEND alice\x20        | ERR syntax   |
        | SEND Alice hello      | ERR syntax   |
        | SEND al.ice hello     | ERR syntax   |
        | SEND <33 × a> hello   | ERR syntax   |
        | SEND alice hello      | OK delivered |
      Then each line gets the reply shown beside it

  Rule: CMD-13 (MUST) PING answered PONG in any state
    "`PING` is answered `PONG`, before and after authentication."

    @CMD-13 @must
    Scenario: PING is answered PONG before and after authentication
      Given alice is connected
      When alice sends these lines in one write:
        """
        PING
        AUTH alice <secret of alice>
        PING
        """
      Then alice receives the replies:
        """
        PONG
        OK registered
        PONG
        """

  Rule: CMD-14 (MUST) QUIT answered OK bye, then close
    "`QUIT` is answered `OK bye`, before and after authentication, and the server then closes
    the connection."

    @CMD-14 @must
    Scenario: QUIT before authentication is answered OK bye, then the server closes
      Given alice is connected
      When alice quits
      Then alice receives "OK bye" and is disconnected

    @CMD-14 @must
    Scenario: QUIT after authentication is answered OK bye, then the server closes
      Given alice is online
      When alice quits
      Then alice receives "OK bye" and is disconnected

  Rule: CMD-15 (MUST) command word compared byte for byte, ends at the first space; TAB and BOM are part of it
    "The command word is compared byte for byte and ends only at the first space (0x20): a TAB
    or any other byte is part of the word, so `PING\t` and `AUTH\talice\tsecret123` are `ERR
    unknown-command`; a leading U+FEFF (a byte order mark, bytes `EF BB BF`) is not stripped, so
    a line starting with it has an unknown command word."

    @CMD-15 @must
    Scenario: The command word ends only at the first space; TAB and a byte order mark belong to it
      Given the server is running
      When each of these lines is sent on a new connection:
        | line                          | reply               |
        | PING\t                        | ERR unknown-command |
        | QUIT\t                        | ERR unknown-command |
        | AUTH\talice\tsecret-123       | ERR unknown-command |
        | \u{FEFF}PING                  | ERR unknown-command |
        | PING                          | PONG                |
      Then each line gets the reply shown beside it
