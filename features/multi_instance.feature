Feature: MULTI — several instances
  Several instances may share a machine, and nothing else (spec/litsxg.md §11). Each instance
  the kit starts has its own port, data directory, working directory and temporary directory.

  Rule: MULTI-1 (MUST) instances with separate ports and data dirs run side by side
    "Instances given separate ports and separate data directories run side by side on one
    machine, each serving its own clients (a shared port or data directory makes the later one
    fail to start, PROC-11, PROC-12)."

    @MULTI-1 @must @process
    Scenario: Two instances with separate ports and data directories run side by side
      Given the server is running
      And a second server is running with its own port and data directory
      When alice is online on the first server and bob on the second
      Then alice is still connected
      And bob is still connected

    @MULTI-1 @PROC-11 @must @process
    Scenario: A second instance on the same port does not start
      Given the server is running
      When a second server is started on the same port
      Then the second server exits at once with status 3
      And the first server still serves

  Rule: MULTI-3 (MUST NOT) instances do not coordinate or share anything
    "Instances do not coordinate and share nothing: a name registered on one is unknown to
    another, a `SEND` never crosses instances, and queues, sessions and limits are per
    instance."

    @MULTI-3 @must @process
    Scenario: A name registered on one instance is unknown to the other
      Given alice is registered
      And a second server is running with its own port and data directory
      When bob is online on the second server
      Then bob's message to alice is answered "ERR unknown-recipient"
      And alice can register on the second server with another secret

    @MULTI-3 @must @process
    Scenario: A name online on both instances gets each instance's messages only
      Given alice and bob are online
      And alice's second connection is online on the second server
      When bob sends a message "only on the first" to alice
      Then alice receives "MSG bob only on the first"
      And alice's second connection receives no message
