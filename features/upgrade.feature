Feature: UPG — upgrades and rollback
  An upgrade is a stop, a binary swap and a start; nothing else happens (spec/litsxg.md §12).
  The build upgraded from is litsxg.previous-server (default: the build under test itself, so
  that every build is at least checked against a restart of itself). Without a previous build,
  the kit also writes the database an earlier release would have left: the build's own schema
  and row layout (learnt from a probe registration), rows hashed with other PBKDF2 parameters,
  written by the kit's SQLite in a rollback journal, with free space left by a deleted row.

  Rule: UPG-1 (MUST) the new build serves the identities of the old data directory
    "The new build of an upgrade (UPG-13), started on the data directory of the build it
    replaces, serves the identities stored there. Upgrade behaviour not described here does not
    exist."

    @UPG-1 @must @process
    Scenario: The new build serves the identities stored by the old one
      Given the server runs the previous build
      And alice is registered
      When the server is upgraded to the build under test
      Then alice can authenticate with her secret

    @UPG-1 @UPG-5 @must @process
    Scenario: The build serves the identities of a database an earlier release wrote, with other PBKDF2 parameters
      Given the data directory holds identities.db as an earlier release left it, for alice, bob and carol, hashed with other PBKDF2 parameters
      When the server is started
      Then alice can authenticate with her secret
      And bob can authenticate with his secret
      And carol can authenticate with her secret
      And carol's wrong secret is refused

  Rule: UPG-2 (MUST NOT) no migration: schema, user_version and rows unchanged
    "No state migration is performed: a build MUST NOT change an existing database's schema,
    `user_version` or rows on start; a bug-fix build opens the same file with the same schema."

    @UPG-2 @must @process
    Scenario: No migration: schema, user_version and rows are byte-identical after the upgrade
      Given the server runs the previous build
      And alice and bob are registered
      When the server is upgraded to the build under test
      Then alice can authenticate with her secret
      And the identity store is byte-identical to the one before the upgrade

    @UPG-2 @must @process
    Scenario: No migration of a database an earlier release wrote: byte-identical after the build served it
      Given the data directory holds identities.db as an earlier release left it, for alice, bob and carol, hashed with other PBKDF2 parameters
      When the server is started
      Then alice can authenticate with her secret
      And bob can authenticate with his secret
      And carol's wrong secret is refused
      And the identity store is byte-identical to the one before the upgrade

    @UPG-2 @must @process
    Scenario: No migration on a plain restart either
      Given alice and bob are registered
      When the server is restarted
      Then the identity store is byte-identical to the one before the restart

  Rule: UPG-3 (MUST) upgrade loses in-memory state
    "In-memory state is lost across an upgrade: sessions end, and clients must connect and
    `AUTH` again."

    @UPG-3 @must @process
    Scenario: Sessions end with the upgrade, and clients authenticate again
      Given the server runs the previous build
      And alice is online
      When the server is upgraded to the build under test
      Then alice is disconnected
      And alice's new connection is not authenticated

  Rule: UPG-4 (MUST) upgrade loses offline messages
    "Offline messages are lost across an upgrade: a message queued before it is never delivered
    after it."

    @UPG-4 @QUEUE-5 @must @process
    Scenario: Offline messages are lost across an upgrade
      Given the server runs the previous build
      And bob is registered
      And alice has queued 2 messages for bob
      When the server is upgraded to the build under test
      Then bob receives no message once he is online again

  Rule: UPG-5 (MUST) upgrade keeps identities
    "Persistent identity data remains intact across an upgrade: every name keeps its secret."

    @UPG-5 @must @process
    Scenario: Every name keeps its secret across an upgrade
      Given the server runs the previous build
      And alice and bob are registered
      When the server is upgraded to the build under test
      Then alice can authenticate with her secret
      And bob's wrong secret is refused

  Rule: UPG-7 (IMPLEMENTATION-DEPENDENT) rollback may or may not work; kit reports which
    "Rollback is starting the old binary on the same data directory; it may or may not work, and
    the conformance kit reports which."

    @UPG-7 @informational @process
    Scenario: The kit records whether a rollback to the previous build works
      Given the server runs the previous build
      And alice is registered
      And the server has been upgraded to the build under test and bob registered there
      When the server is rolled back to the previous build
      Then the kit records whether the previous build serves alice and bob
