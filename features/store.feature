Feature: STORE — persistence and the identity store
  Only identities persist (spec/litsxg.md §7). The data directory's files are part of the
  contract: the kit reads identities.db from outside, as a file, with its own SQLite driver,
  and scans every file under the server's working, data, temporary (TMPDIR) and home (HOME)
  directories, and the files the build wrote in /tmp, /var/tmp and the user's home.

  Rule: STORE-1 (MUST) only identities persist, in <data-dir>/identities.db (SQLite)
    "Persistent data is limited to identities: they, and nothing else, survive a stop, stored in
    `<data-dir>/identities.db`, a SQLite database."

    @STORE-1 @must @process
    Scenario: Identities are kept in <data-dir>/identities.db, a SQLite database
      Given alice is registered
      When the server is stopped
      Then the data directory holds identities.db, a SQLite database with a row naming alice

  Rule: STORE-2 (MUST) identities survive restart
    "Identities are stored persistently: after a stop and a restart on the same data directory,
    a registered name with its secret gets `OK authenticated`."

    @STORE-2 @must @process
    Scenario: A registered name keeps its secret across a restart
      Given alice is registered
      When the server is restarted
      Then alice can authenticate with her secret
      And alice's wrong secret is refused

  Rule: STORE-3 (MUST) identity durable before OK registered
    "The identity is durably stored before `OK registered` is written: a server killed (SIGKILL)
    right after that reply still knows the name after a restart."

    @STORE-3 @must @process
    Scenario: The identity is durable before OK registered: a SIGKILL right after it loses nothing
      Given alice has registered and the server process was killed right after her "OK registered"
      When the server is started again
      Then alice can authenticate with her secret

    @STORE-3 @must @process
    Scenario: Under concurrent registrations, a SIGKILL as soon as a reply's first byte arrives loses no acknowledged name
      When 4 times, 16 new names register at once while others exchange messages, and the server process is killed as soon as the first byte of a reply arrives, then started again
      Then every name whose "OK registered" began to arrive before a kill can authenticate with its secret

  Rule: STORE-4 (MUST NOT) secret never stored in clear
    "A secret MUST NOT be stored in clear, neither in the database nor in any other file."

    @STORE-4 @must @process
    Scenario: No file holds a secret in clear
      Given alice and bob are registered
      And mallory has failed to authenticate as alice 2 times
      When the server is stopped
      Then no file under the server's directories holds any secret the clients sent

  Rule: STORE-5 (MUST) row stores salted PBKDF2-HMAC-SHA256 hash with its parameters
    "Each identity row holds a salted PBKDF2-HMAC-SHA256 hash of the secret together with the
    parameters used (iterations, salt)."

    @STORE-5 @must @process
    Scenario: A row holds a PBKDF2-HMAC-SHA256 hash of the secret with its salt and iteration count
      Given alice is registered
      When the server is stopped
      Then alice's row holds a PBKDF2-HMAC-SHA256 hash of her secret, with the salt and iteration count used

    @STORE-5 @must @process
    Scenario: A secret with characters beyond ASCII is hashed as its UTF-8 bytes, as the wire carried it
      Given alice is registered with the secret "pässwörd-€-K7q2"
      When the server is stopped
      Then alice's row holds a PBKDF2-HMAC-SHA256 hash of her secret, with the salt and iteration count used

    @STORE-5 @must @process
    Scenario: Hashes are salted: two names with the same secret store different salts and hashes
      Given alice and bob are registered with the same secret
      When the server is stopped
      Then alice's and bob's rows hold different salts and different hashes

  Rule: STORE-6 (MUST) verification uses per-row parameters
    "A secret is verified with the parameters stored on its row, so that a build with other
    defaults (for example another iteration count) still verifies old rows."

    @STORE-6 @must @process
    Scenario: A secret is verified with the parameters stored on its row
      Given alice is registered
      And while the server was stopped alice's row was rewritten with 1000 iterations
      When the server is started again
      Then alice can authenticate with her secret
      And alice's wrong secret is refused

  Rule: STORE-7 (IMPLEMENTATION-DEPENDENT) schema (reference: identities table, user_version 1, WAL, FULL sync)
    "The database schema inside `identities.db` is implementation-dependent. The reference
    schema is table `identities(name TEXT PRIMARY KEY, algorithm TEXT NOT NULL, iterations
    INTEGER NOT NULL, salt BLOB NOT NULL, hash BLOB NOT NULL, created_at INTEGER NOT NULL)` with
    `PRAGMA user_version = 1`, WAL journal, synchronous=FULL, algorithm `PBKDF2-HMAC-SHA256`, a
    16-byte random salt, a 32-byte derived key, 100000 iterations by default. Whatever schema a
    build uses is frozen across its bug-fix upgrades (UPG-2)."

    @STORE-7 @informational @process
    Scenario: The kit records the identity store's schema
      Given alice is registered
      When the server is stopped
      Then the kit records the schema and user_version of identities.db

  Rule: STORE-8 (MUST NOT) message content never written to disk
    "Message content MUST NOT be written to disk: not to the database, not to any file, not to a
    log file. Message content is not persistently stored."

    @STORE-8 @must @process
    Scenario: Message content is never written to disk, queued or delivered
      Given alice, bob and carol are registered
      And alice and carol are online
      And alice has queued 3 messages for bob
      When alice sends a message "delivered secret plans" to carol
      Then no file under the server's directories holds any message text, now or after a stop

  Rule: STORE-9 (MUST) data dir holds only identities.db(-wal,-shm) and litsxg.lock
    "The data directory holds only `identities.db`, SQLite's `identities.db-wal` and
    `identities.db-shm`, and the lock file `litsxg.lock`."

    @STORE-9 @must @process
    Scenario: While serving, the data directory holds only the files the contract names
      Given bob is registered
      And alice is online
      When alice has queued 3 messages for bob
      Then the data directory holds nothing but identities.db, SQLite's companion files and one lock file

    @STORE-9 @must @process
    Scenario: After a stop, the data directory holds only the files the contract names
      Given bob is registered
      And alice is online
      And alice has queued 3 messages for bob
      When the server is stopped
      Then the data directory holds nothing but identities.db, SQLite's companion files and one lock file

  Rule: STORE-10 (MUST) created data dir mode 0700
    "A data directory the server creates has mode 0700 (the owner's alone)."

    @STORE-10 @PROC-5 @must @process
    Scenario: A data directory the server creates has mode 0700
      When the server is started
      Then the data directory has mode 0700

  Rule: STORE-11 (MUST) identities.db mode 0600
    "`identities.db` has mode 0600 (the owner's alone)."

    @STORE-11 @must @process
    Scenario: identities.db has mode 0600
      Given alice is registered
      When the server is stopped
      Then identities.db has mode 0600

  Rule: STORE-12 (MUST) deleting the db discards identity continuity; names claimable again
    "Deleting `identities.db` (or the whole data directory) while the server is stopped resets
    the database and discards identity continuity: the next start creates an empty database and
    every name can be claimed again, with any secret."

    @STORE-12 @must @process
    Scenario Outline: Deleting <what> frees every name
      Given alice and bob are registered
      And while the server was stopped <what> was deleted
      When the server is started again
      Then alice can register again with another secret
      And bob can register again with another secret

      Examples:
        | what               |
        | identities.db      |
        | the data directory |

    @STORE-12 @must @process
    Scenario: SQLite's files left beside a deleted identities.db after a crash bring no identity back
      Given alice and bob are registered
      And while the server was stopped by a kill, only identities.db was deleted and SQLite's other files were left
      When the server is started again
      Then alice can register again with another secret
      And bob can register again with another secret

  Rule: STORE-13 (MUST) deleting a row frees that name only
    "Deleting one identity's data manually (its row) while the server is stopped frees that name
    for a new claim and leaves the other identities intact."

    @STORE-13 @must @process
    Scenario: Deleting one identity's row frees that name and keeps the others
      Given alice and bob are registered
      And while the server was stopped alice's row was deleted
      When the server is started again
      Then alice can register again with another secret
      And bob can authenticate with his secret

  Rule: STORE-14 (MUST NOT) no identity-management command
    "There is no identity-management interface: no command lists, renames, deletes or re-keys
    identities (such words get `ERR unknown-command`), and a secret cannot be changed through
    the protocol."

    @STORE-14 @must
    Scenario: No command lists, renames, deletes or re-keys identities
      Given alice is online
      When alice sends these lines one by one:
        | line                         | reply               |
        | PASSWD old-secret new-secret | ERR unknown-command |
        | PASSWORD new-secret-1        | ERR unknown-command |
        | REKEY new-secret-1           | ERR unknown-command |
        | RENAME alice alicia          | ERR unknown-command |
        | NICK alicia                  | ERR unknown-command |
        | DELETE alice                 | ERR unknown-command |
        | UNREGISTER                   | ERR unknown-command |
        | USERS                        | ERR unknown-command |
        | LIST                         | ERR unknown-command |
        | WHOIS bob                    | ERR unknown-command |
      Then each line gets the reply shown beside it

    @STORE-14 @AUTH-7 @must
    Scenario: A secret cannot be changed through the protocol
      Given alice is online
      When alice sends "AUTH alice a-brand-new-secret"
      Then alice receives "ERR already-authenticated"
      And alice can authenticate with her secret

  Rule: STORE-15 (MUST) a backup copy taken while stopped restores identities
    "A copy of `identities.db` taken while the server was stopped and put back in place
    restores, on the next start, exactly the identities the copy holds (operator backup)."

    @STORE-15 @must @process
    Scenario: A copy of identities.db taken while stopped restores exactly its identities
      Given alice is registered
      And a copy of identities.db was taken while the server was stopped
      And bob is registered
      When the server is stopped, the copy is put back and the server is started again
      Then alice can authenticate with her secret
      And bob can register again with another secret
