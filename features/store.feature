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
    "The identity is durably stored before `OK registered` is written: the write has reached
    stable storage (for SQLite, a committed transaction with `synchronous=FULL`, or an
    equivalent `fsync`), so that it survives the end of the process and of the operating system.
    The kit checks the part it can see: a server killed (SIGKILL) right after that reply still
    knows the name after a restart."

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
    parameters used (iterations, salt). How a row encodes them is implementation-dependent
    (STORE-7): separate columns as in the reference schema, a PHC string
    (`$pbkdf2-sha256$i=<iterations>$<salt>$<hash>`, salt and hash in standard or URL-safe
    base64, with or without padding), Django's `pbkdf2_sha256$<iterations>$<salt>$<hash>`, or
    the parameters as JSON in one column. The conformance kit reads these encodings; for a row
    it cannot read it reports STORE-5 NOT RUN with the reason, never FAILED."

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

  Rule: STORE-7 (IMPLEMENTATION-DEPENDENT) schema, encoding, timestamp unit and journal mode are the build's choice
    "The database schema inside `identities.db`, the encoding of the hash parameters (STORE-5),
    the unit of any timestamp, and the SQLite journal mode (DELETE, TRUNCATE, PERSIST, WAL, ...)
    are implementation-dependent; a build may set its journal mode on every start, even on an
    existing file (UPG-2 covers schema, `user_version` and rows, not the journal mode in the
    file header). An operator does not notice: the seeds give identities no management interface
    (STORE-14), the operator's documented operations on the file (delete it, delete a row, back
    it up, STORE-12, STORE-13, STORE-15) work on every schema, and SQLite opens a file in any
    journal mode. The reference schema is table `identities(name TEXT PRIMARY KEY, algorithm
    TEXT NOT NULL, iterations INTEGER NOT NULL, salt BLOB NOT NULL, hash BLOB NOT NULL,
    created_at INTEGER NOT NULL)` with `created_at` in Unix seconds, `PRAGMA user_version = 1`,
    WAL journal, synchronous=FULL, algorithm `PBKDF2-HMAC-SHA256`, a 16-byte random salt, a
    32-byte derived key, 100000 iterations by default. That a build keeps its schema across its
    bug-fix upgrades is UPG-2."

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

  Rule: STORE-9 (MUST) data dir holds only identities.db, its SQLite companions and one lock file
    "The data directory holds only: `identities.db`; SQLite's own companion files of it, for
    whatever journal mode the build uses (`identities.db-journal`, `identities.db-wal`,
    `identities.db-shm`); and at most one lock file (PROC-12), of any name, that holds no
    message text and no secret. The name of the lock file is implementation-dependent: an
    operator never needs it (a lock is released when the process ends, PROC-17, and deleting the
    data directory resets everything, STORE-12)."

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

  Rule: STORE-11 (MUST) identities.db and files the server creates are 0600
    "`identities.db`, when the server creates it, has mode 0600 (the owner's alone), and so have
    the companion files and the lock file the server creates. Whether the server also restricts
    the mode of an `identities.db` the operator put in place (a restored backup, STORE-15) is
    implementation-dependent: the operator chose that file's mode."

    @STORE-11 @must @process
    Scenario: identities.db has mode 0600
      Given alice is registered
      When the server is stopped
      Then identities.db has mode 0600

  Rule: STORE-12 (MUST) deleting the db discards identity continuity; names claimable again
    "Deleting `identities.db` (or the whole data directory) while the server is stopped resets
    the database and discards identity continuity: the next start creates an empty database and
    every name can be claimed again, with any secret. Leftover companion files of the deleted
    database (a WAL or journal left by a killed instance) bring no identity back."

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

  Rule: STORE-17 (IMPLEMENTATION-DEPENDENT) a foreign or unreadable identities.db: build adopts, refuses or fails the AUTH
    "What a build does with an `identities.db` it did not write and no predecessor of it wrote
    (a foreign SQLite database, an empty file, rows whose algorithm or encoding it does not
    know) is implementation-dependent: it may adopt the file, refuse to start (exit 3, PROC-11),
    or answer `ERR auth-failed` for a row it cannot verify. No documented operation puts such a
    file in place (seed 001 §Scope enforcement); a build always reads its own rows and those of
    the builds it upgrades (UPG-5)."

    @STORE-17 @informational @process
    Scenario: The kit records what the build does with an empty identities.db it did not write
      When the server is started on a data directory whose identities.db is an empty file
      Then the kit records whether the server started and registered a new name
