#!/usr/bin/env python3
"""Litsxg server: an alternate, non-Java build used by the conformance kit.

Python 3 standard library only. One asyncio event loop owns the listening socket and
every client socket (raw non-blocking sockets driven by add_reader/add_writer); PBKDF2
runs on a small thread pool and every SQLite write on one dedicated thread, so the loop
never blocks on hashing or fsync.

Data flow of one client line:
  socket bytes -> Conn.on_readable -> Conn.parse (framing: LF, one CR dropped, 4096-byte
  limit) -> Conn.lines (in order) -> Conn.pump -> Conn.handle_line (encoding check, then
  command word, syntax, state, command) -> one reply appended to Conn.outbuf -> Conn.flush.
  AUTH suspends the pump of its connection until the hash (and, for a new name, the
  durable INSERT) is done, so replies keep the order of the client's lines.
  MSG lines go to the recipient's backlog and are moved into its outbuf while that holds
  less than FEED_LIMIT bytes; pending output = outbuf + live backlog.

The environment variable LITSXG_DEFECT (comma-separated) switches on deliberate defects,
each violating exactly one behaviour, so the kit can prove it fails such builds on the
right clause. Unset or empty: a correct build. See README.md beside this file.
"""

import asyncio
import errno
import fcntl
import hashlib
import hmac
import ipaddress
import json
import os
import re
import resource
import signal
import socket
import sqlite3
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

# ---------------------------------------------------------------------------
# Constants (units in the names)
# ---------------------------------------------------------------------------
MAX_LINE_BYTES = 4096            # not counting the LF or CRLF terminator
READ_CHUNK_BYTES = 65536
OWN_BACKPRESSURE_BYTES = 65536   # stop reading/processing a connection's input above this
INPUT_PAUSE_BYTES = 65536        # stop reading while this much unprocessed input waits
CLOSE_FLUSH_SECONDS = 10.0       # longest a closing connection may take to flush its output
CLOSE_LINGER_SECONDS = 2.0       # after our FIN, drain the peer's input this long (avoid RST)
ACCEPT_BATCH = 128
ALGORITHM = "PBKDF2-HMAC-SHA256"
SALT_BYTES = 16
KEY_BYTES = 32
SCHEMA_VERSION = 1
SECRET_MIN_BYTES = 8
SECRET_MAX_BYTES = 128

DEFAULTS = {
    "bind": "127.0.0.1",
    "port": 7667,
    "data-dir": "./litsxg-data",
    "max-queued": 1000,
    "max-connections": 10000,
    "auth-timeout": 30,
    "max-pending-bytes": 1048576,
    "log-level": "info",
    "pbkdf2-iterations": 100000,
}
INT_FLAGS = {  # name -> minimum value
    "port": 0,
    "max-queued": 1,
    "max-connections": 1,
    "auth-timeout": 1,
    "max-pending-bytes": 1,
    "pbkdf2-iterations": 1,
}
LOG_LEVELS = {"error": 0, "warn": 1, "info": 2, "debug": 3}

KNOWN_DEFECTS = {
    "no-pong", "greeting", "extension-version", "queue-survives-restart",
    "forget-identities", "clear-secret", "no-session-replace", "queue-unbounded",
    "msg-reorder", "log-file", "exit-nonzero-on-term", "no-line-limit",
    "migrate-schema", "add-command", "bad-encoding-closes", "crash-on-third-registration",
}
KNOWN_DEFECTS |= {"queue-keeps-last-32", "flush-batch-dup", "flush-batch-skip", "queue-per-sender", "queue-clears-first-batch", "resend-last-msg", "offline-after-linger", "register-race", "auth-deadline-cuts-check", "auth-deadline-from-first-line", "auth-deadline-after-auth", "replace-race", "pending-checked-every-2048", "pending-ignores-outbuf", "register-not-authenticated", "reregistered-reply", "close-after-second-failure", "close-after-fourth-failure", "failures-per-name", "reauth-switches", "failed-auth-kicks-session", "first-identity-admin", "send-check-after-deliver", "unknown-recipient-queued", "deliver-no-flush", "live-answered-queued", "text-rstrip", "no-echo", "line-limit-off-by-one", "max-conn-counts-authenticated", "replies-count-as-pending", "slow-drop-stays-online"}  # AUTH, ROUTE, QUEUE, LIMIT
FLUSH_BATCH = 32                 # queued messages moved to the backlog per step (DEFECT flush-batch-*)

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
# Unicode category Cc other than TAB: U+0000-U+0008, U+000A-U+001F, U+007F-U+009F.
CONTROL_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")

USAGE = (
    "usage: litsxg.py [server] [--bind ADDR] [--port N] [--data-dir DIR] [--max-queued N]\n"
    "                 [--max-connections N] [--auth-timeout SECONDS] [--max-pending-bytes N]\n"
    "                 [--log-level error|warn|info|debug] [--pbkdf2-iterations N]\n"
)

EOF_MARK = object()
TOO_LONG_MARK = object()

OPEN, CLOSING, CLOSED = "open", "closing", "closed"


class StartError(Exception):
    """Cannot start (exit 3)."""


class UsageError(Exception):
    """Bad usage or configuration (exit 2)."""


# ---------------------------------------------------------------------------
# Logging: plain text lines on stderr only (plus a file under the log-file defect)
# ---------------------------------------------------------------------------
class Log:
    def __init__(self, level):
        self.level = LOG_LEVELS[level]
        self.file = None

    def _emit(self, name, lvl, msg):
        if lvl > self.level:
            return
        line = "%s litsxg %s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), name, msg)
        try:
            sys.stderr.write(line)
            sys.stderr.flush()
        except OSError:
            pass
        if self.file is not None:
            try:
                self.file.write(line)
                self.file.flush()
            except OSError:
                pass

    def error(self, msg):
        self._emit("ERROR", 0, msg)

    def warn(self, msg):
        self._emit("WARN", 1, msg)

    def info(self, msg):
        self._emit("INFO", 2, msg)

    def debug(self, msg):
        self._emit("DEBUG", 3, msg)

    @property
    def debug_enabled(self):
        return self.level >= 3


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------
def parse_args(argv):
    """Returns the option dict; raises UsageError with a one-line message."""
    if argv and argv[0] == "server":
        argv = argv[1:]
    opts = dict(DEFAULTS)
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            sys.stdout.write(USAGE)
            sys.stdout.flush()
            sys.exit(0)
        if not arg.startswith("--"):
            raise UsageError("unexpected argument %r" % arg)
        if "=" in arg:
            name, value = arg[2:].split("=", 1)
            i += 1
        else:
            name = arg[2:]
            if name not in DEFAULTS:
                raise UsageError("unknown option %s" % arg)
            if i + 1 >= len(argv):
                raise UsageError("option --%s needs a value" % name)
            value = argv[i + 1]
            i += 2
        if name not in DEFAULTS:
            raise UsageError("unknown option --%s" % name)
        if name in INT_FLAGS:
            if not re.fullmatch(r"[0-9]{1,18}", value):
                raise UsageError("option --%s needs a whole number, got %r" % (name, value))
            n = int(value)
            if n < INT_FLAGS[name] or (name == "port" and n > 65535):
                raise UsageError("option --%s out of range: %s" % (name, value))
            opts[name] = n
        elif name == "log-level":
            if value not in LOG_LEVELS:
                raise UsageError("option --log-level must be one of error, warn, info, debug; got %r" % value)
            opts[name] = value
        elif name == "data-dir":
            if value == "":
                raise UsageError("option --data-dir needs a non-empty value")
            opts[name] = value
        else:
            opts[name] = value
    opts["bind-addr"] = resolve_bind(opts["bind"])
    return opts


def resolve_bind(value):
    host = value
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
        return (socket.AF_INET6 if ip.version == 6 else socket.AF_INET), host
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise UsageError("option --bind: cannot resolve %r" % value) from e
    if not infos:
        raise UsageError("option --bind: cannot resolve %r" % value)
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr[0]


def parse_defects():
    raw = os.environ.get("LITSXG_DEFECT", "")
    names = {d.strip() for d in raw.split(",") if d.strip()}
    unknown = sorted(names - KNOWN_DEFECTS)
    if unknown:
        raise UsageError("unknown LITSXG_DEFECT %s" % ",".join(unknown))
    return frozenset(names)


# ---------------------------------------------------------------------------
# Data directory, lock and identity store
# ---------------------------------------------------------------------------
def open_data_dir(path):
    """Creates the directory (0700) if missing and takes the exclusive lock. Returns the lock fd."""
    if not os.path.isdir(path):
        if os.path.lexists(path):
            raise StartError("data directory %s is unusable: not a directory" % path)
        try:
            os.makedirs(path, mode=0o700)
            os.chmod(path, 0o700)
        except FileExistsError:
            if not os.path.isdir(path):
                raise StartError("data directory %s is unusable: not a directory" % path)
        except OSError as e:
            raise StartError("data directory %s is unusable: %s" % (path, e.strerror or e))
    lock_path = os.path.join(path, "litsxg.lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise StartError("data directory %s is unusable: %s" % (path, e.strerror or e))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise StartError("data directory %s is locked by another litsxg instance" % path)
        raise StartError("data directory %s is unusable: cannot lock: %s" % (path, e.strerror or e))
    return fd


def derive(secret_bytes, salt, iterations):
    """PBKDF2-HMAC-SHA256, 32-byte key. Blocks for the duration of the hash."""
    return hashlib.pbkdf2_hmac("sha256", secret_bytes, salt, iterations, KEY_BYTES)


REQUIRED_COLUMNS = {"name", "algorithm", "iterations", "salt", "hash", "created_at"}
CREATE_TABLE = ("CREATE TABLE identities(name TEXT PRIMARY KEY, algorithm TEXT NOT NULL, "
                "iterations INTEGER NOT NULL, salt BLOB NOT NULL, hash BLOB NOT NULL, "
                "created_at INTEGER NOT NULL)")


class IdentityStore:
    """identities.db. Rows are cached in memory (name -> (algorithm, iterations, salt, hash));
    every write runs on the single 'litsxg-db' thread and is committed (WAL, synchronous=FULL)
    before the call returns."""

    def __init__(self, data_dir, defects, log):
        self.defects = defects
        self.log = log
        self.path = os.path.join(data_dir, "identities.db")
        self.rows = {}
        self.db = None
        self.file_db = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="litsxg-db")
        try:
            self._open()
        except sqlite3.Error as e:
            raise StartError("data directory %s is unusable: identities.db: %s" % (data_dir, e))
        except OSError as e:
            raise StartError("data directory %s is unusable: identities.db: %s" % (data_dir, e.strerror or e))

    def _open(self):
        if not os.path.lexists(self.path):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            os.close(fd)
            os.chmod(self.path, 0o600)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.file_db = db
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError("cannot switch to WAL journal (got %s)" % mode)
        db.execute("PRAGMA synchronous=FULL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        cols = self._columns(db)
        if not cols:
            if version != 0:
                raise sqlite3.DatabaseError("unknown schema (user_version %d, no identities table)" % version)
            db.execute("BEGIN IMMEDIATE")
            db.execute(CREATE_TABLE)
            db.execute("PRAGMA user_version = %d" % SCHEMA_VERSION)
            db.execute("COMMIT")
            cols = self._columns(db)
        missing = REQUIRED_COLUMNS - cols
        if missing:
            raise sqlite3.DatabaseError("unknown schema (missing %s)" % ",".join(sorted(missing)))

        if "migrate-schema" in self.defects:          # DEFECT: a migration on start
            if "last_seen" not in cols:
                db.execute("ALTER TABLE identities ADD COLUMN last_seen INTEGER")
            db.execute("PRAGMA user_version = 2")
        if "clear-secret" in self.defects and "secret" not in cols:   # DEFECT: clear secret column
            db.execute("ALTER TABLE identities ADD COLUMN secret TEXT")

        if "forget-identities" in self.defects:       # DEFECT: identities in memory only
            mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            mem.execute(CREATE_TABLE)
            if "clear-secret" in self.defects:
                mem.execute("ALTER TABLE identities ADD COLUMN secret TEXT")
            self.db = mem
        else:
            self.db = db
        for name, alg, it, salt, h in self.db.execute(
                "SELECT name, algorithm, iterations, salt, hash FROM identities"):
            self.rows[name] = (alg, int(it), bytes(salt), bytes(h))

    @staticmethod
    def _columns(db):
        return {r[1] for r in db.execute("PRAGMA table_info(identities)")}

    def exists_blocking(self, name):                  # DEFECT register-race: the separate SELECT
        return self.db.execute("SELECT 1 FROM identities WHERE name = ?", (name,)).fetchone() is not None

    def insert_blocking(self, name, row, secret, replace=False):
        """Runs on the db thread; returns once the row is durably committed."""
        alg, it, salt, h = row
        if replace:                                   # DEFECT register-race: the later one wins
            self.db.execute(
                "INSERT OR REPLACE INTO identities(name, algorithm, iterations, salt, hash, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (name, alg, it, salt, h, int(time.time())))
        elif "clear-secret" in self.defects:
            self.db.execute(
                "INSERT INTO identities(name, algorithm, iterations, salt, hash, created_at, secret) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (name, alg, it, salt, h, int(time.time()), secret))
        else:
            self.db.execute(
                "INSERT INTO identities(name, algorithm, iterations, salt, hash, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (name, alg, it, salt, h, int(time.time())))

    def close(self):
        def _close():
            for d in {id(self.db): self.db, id(self.file_db): self.file_db}.values():
                if d is not None:
                    try:
                        d.close()
                    except sqlite3.Error:
                        pass
        try:
            self.executor.submit(_close).result(timeout=5)
        except Exception:
            pass
        self.executor.shutdown(wait=False)


# ---------------------------------------------------------------------------
# One client connection
# ---------------------------------------------------------------------------
class Conn:
    """State machine of one client connection.

    open     lines are read, parsed and answered in order; AUTH suspends processing
             (busy) until its hash/INSERT completes.
    closing  no more lines are processed; remaining output (backlog, then a final line
             such as `ERR session-replaced` or `OK bye`) is flushed, then our side is shut
             down (FIN) and the peer's input drained for CLOSE_LINGER_SECONDS, so the peer
             gets the last line instead of a reset. The name is offline from here on.
    closed   socket closed.
    """

    def __init__(self, server, sock, peer):
        self.server = server
        self.loop = server.loop
        self.sock = sock
        self.fd = sock.fileno()
        self.peer = peer
        self.state = OPEN
        self.inbuf = bytearray()
        self.lines = deque()
        self.lines_bytes = 0
        self.input_done = False   # EOF or too-long seen: parse nothing more
        self.eof = False
        self.outbuf = bytearray()
        self.mid_line = False     # the OS took part of the first line in outbuf
        self.backlog = deque()    # (line bytes, initial) MSG lines not yet in outbuf
        self.backlog_bytes = 0
        self.initial_bytes = 0    # backlog bytes that came from the offline queue at AUTH
        self.name = None
        self.failures = 0
        self.busy = False
        self.reading = False
        self.writing = False
        self.counted = False
        self.wr_shut = False
        self.auth_timer = None
        self.close_timer = None
        self.unconfirmed = None   # DEFECT resend-last-msg
        self.deadline_passed = False  # the auth deadline passed while an AUTH was being checked
        self.seen_line = False    # DEFECT auth-deadline-from-first-line
        self.replace_target = None  # DEFECT replace-race
        self.delivered = 0        # DEFECT pending-checked-every-2048
        self.failures_by_name = {}  # DEFECT failures-per-name
        self.dropped = False      # dropped as a slow consumer

    # -- lifecycle -----------------------------------------------------------------
    def start(self):
        self.counted = True
        self.server.live += 1
        self.auth_timer = self.loop.call_later(self.server.cfg["auth-timeout"], self.on_auth_timeout)
        if "greeting" in self.server.defects:          # DEFECT: a greeting line
            self.send_line("OK welcome")
        self.update_reading()

    def reject_full(self):
        self.close_after_flush("ERR server-full")

    def on_auth_timeout(self):
        self.auth_timer = None
        if self.state == OPEN and self.name is None:
            if self.busy and "auth-deadline-cuts-check" not in self.server.defects:  # DEFECT: cut
                self.deadline_passed = True    # an AUTH is being checked: answered first (auth_done)
                return
            self.close_after_flush("ERR auth-timeout")

    def on_idle_timeout(self):                 # DEFECT auth-deadline-after-auth
        self.auth_timer = None
        if self.state == OPEN:
            self.close_after_flush("ERR auth-timeout")

    def go_offline(self, final=False):
        srv = self.server
        if self.counted:
            self.counted = False
            srv.live -= 1
        if "offline-after-linger" in srv.defects and not final:   # DEFECT: offline only when the
            pass                                                  # socket is finally closed
        elif "slow-drop-stays-online" in srv.defects and self.dropped:   # DEFECT
            pass
        elif self.name is not None and srv.online.get(self.name) is self:
            del srv.online[self.name]
        if self.auth_timer is not None:
            self.auth_timer.cancel()
            self.auth_timer = None

    def close_after_flush(self, final_line=None):
        """Stops processing, flushes backlog + final_line, then closes (see class doc)."""
        if self.state != OPEN:
            return
        self.go_offline()
        self.state = CLOSING
        self.lines.clear()
        self.lines_bytes = 0
        self.inbuf = bytearray()
        while self.backlog:
            self.outbuf += self.backlog.popleft()[0]
        self.backlog_bytes = self.initial_bytes = 0
        if final_line is not None:
            self.outbuf += (final_line + "\n").encode()
        self.close_timer = self.loop.call_later(CLOSE_FLUSH_SECONDS, self.finish_close)
        self.set_reading(not self.eof)
        self.flush()
        if self.state == CLOSING and not self.outbuf:
            self.shutdown_write()

    def shutdown_write(self):
        if self.wr_shut or self.state != CLOSING:
            return
        self.wr_shut = True
        self.set_writing(False)
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.finish_close()
            return
        if self.eof:
            self.finish_close()
            return
        if self.close_timer is not None:
            self.close_timer.cancel()
        self.close_timer = self.loop.call_later(CLOSE_LINGER_SECONDS, self.finish_close)

    def finish_close(self):
        """Closes the socket at once (pending output is dropped)."""
        if self.state == CLOSED:
            return
        self.go_offline(final=True)
        self.state = CLOSED
        self.set_reading(False)
        self.set_writing(False)
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None
        self.outbuf = bytearray()
        self.backlog.clear()
        self.lines.clear()
        try:
            self.sock.close()
        except OSError:
            pass
        self.server.conns.discard(self)

    def slow_consumer(self):
        """Pending output exceeded --max-pending-bytes: discard it, best-effort ERR, close."""
        self.server.log.warn("dropping a slow consumer connection (pending output over %d bytes)"
                             % self.server.cfg["max-pending-bytes"])
        self.dropped = True
        # DEFECT slow-drop-stays-online: the drop path forgets the online map (go_offline)
        self.go_offline()
        keep = b""
        if self.mid_line:   # finish the line the OS already took part of, so ERR starts a line
            idx = self.outbuf.find(b"\n")
            keep = bytes(self.outbuf[:idx + 1]) if idx >= 0 else bytes(self.outbuf)
        data = keep + b"ERR slow-consumer\n"
        try:
            self.sock.send(data)
        except OSError:
            pass
        self.finish_close()

    # -- reading -------------------------------------------------------------------
    def set_reading(self, on):
        if on and not self.reading and self.state != CLOSED:
            self.loop.add_reader(self.fd, self.on_readable)
            self.reading = True
        elif not on and self.reading:
            self.loop.remove_reader(self.fd)
            self.reading = False

    def set_writing(self, on):
        if on and not self.writing and self.state != CLOSED:
            self.loop.add_writer(self.fd, self.on_writable)
            self.writing = True
        elif not on and self.writing:
            self.loop.remove_writer(self.fd)
            self.writing = False

    def update_reading(self):
        if self.state == OPEN:
            want = (not self.input_done
                    and (len(self.outbuf) <= OWN_BACKPRESSURE_BYTES
                         or "replies-count-as-pending" in self.server.defects)   # DEFECT
                    and self.lines_bytes <= INPUT_PAUSE_BYTES)
            self.set_reading(want)
        elif self.state == CLOSING:
            self.set_reading(not self.eof)

    def on_readable(self):
        try:
            data = self.sock.recv(READ_CHUNK_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.finish_close()
            return
        if self.state == CLOSING:          # draining the peer's input before close
            if not data:
                self.eof = True
                self.set_reading(False)
                if self.wr_shut:
                    self.finish_close()
            return
        if self.state != OPEN:
            return
        if not data:
            self.eof = True
            self.input_done = True
            self.inbuf = bytearray()       # an unterminated line at EOF is discarded
            self.lines.append(EOF_MARK)
            self.set_reading(False)
        else:
            self.parse(data)
        self.pump()

    def parse(self, data):
        if self.input_done:
            return
        limit = "no-line-limit" not in self.server.defects   # DEFECT: no line limit
        buf = self.inbuf
        scan = len(buf)
        buf += data
        start = 0
        while True:
            nl = buf.find(b"\n", scan)
            if nl < 0:
                break
            line = bytes(buf[start:nl])
            start = scan = nl + 1
            if line.endswith(b"\r"):
                line = line[:-1]
            if limit and (len(line) > MAX_LINE_BYTES
                          or ("line-limit-off-by-one" in self.server.defects and len(line) == MAX_LINE_BYTES)):
                self.too_long()
                return
            if line:                        # an empty line is ignored
                self.lines.append(line)
                self.lines_bytes += len(line) + 1
        del buf[:start]
        # An unterminated remainder already longer than the limit (one trailing CR may
        # still turn out to be part of a CRLF terminator).
        if limit and (len(buf) > MAX_LINE_BYTES + 1
                      or (len(buf) == MAX_LINE_BYTES + 1 and buf[-1] != 0x0D)):
            self.too_long()

    def too_long(self):
        self.lines.append(TOO_LONG_MARK)
        self.input_done = True
        self.inbuf = bytearray()

    # -- processing ----------------------------------------------------------------
    def pump(self):
        while (self.state == OPEN and not self.busy and self.lines
               and (len(self.outbuf) <= OWN_BACKPRESSURE_BYTES
                    or "replies-count-as-pending" in self.server.defects)):   # DEFECT
            item = self.lines.popleft()
            if item is EOF_MARK:
                self.close_after_flush(None)
                return
            if item is TOO_LONG_MARK:
                self.close_after_flush("ERR line-too-long")
                return
            self.lines_bytes -= len(item) + 1
            self.handle_line(item)
        self.update_reading()

    def handle_line(self, raw):
        srv = self.server
        if not self.seen_line:
            self.seen_line = True
            if "auth-deadline-from-first-line" in srv.defects and self.auth_timer is not None:
                # DEFECT: the session (and its auth timer) is set up at the first line
                self.auth_timer.cancel()
                self.auth_timer = self.loop.call_later(srv.cfg["auth-timeout"], self.on_auth_timeout)
        if "auth-deadline-after-auth" in srv.defects and self.name is not None and self.auth_timer is not None:
            self.auth_timer.cancel()           # DEFECT: an idle timer for authenticated connections
            self.auth_timer = self.loop.call_later(2 * srv.cfg["auth-timeout"], self.on_idle_timeout)
        if self.unconfirmed is not None and raw == b"PING":   # DEFECT resend-last-msg: a keepalive
            line, self.unconfirmed = self.unconfirmed, None       # resends the last live MSG
            self.backlog.append((line, False))
            self.backlog_bytes += len(line)
            self.feed()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or CONTROL_RE.search(text):
            if "bad-encoding-closes" in srv.defects:    # DEFECT: closes after bad-encoding
                self.close_after_flush("ERR bad-encoding")
            else:
                self.send_line("ERR bad-encoding")
            return
        sp = text.find(" ")
        word = text if sp < 0 else text[:sp]
        if (word == "KICK" and "first-identity-admin" in srv.defects and self.name is not None
                and self.name == srv.first_identity):   # DEFECT: the first identity is an operator
            victim = srv.online.get(text[5:])
            if victim is not None:
                victim.close_after_flush("ERR session-replaced")
            return self.send_line("OK kicked")
        if word == "PING":
            if text != "PING":
                return self.send_line("ERR syntax")
            return self.send_line("OK pong" if "no-pong" in srv.defects else "PONG")
        if word == "QUIT":
            if text != "QUIT":
                return self.send_line("ERR syntax")
            return self.close_after_flush("OK bye")
        if word == "AUTH":
            return self.cmd_auth(text)
        if word == "SEND":
            return self.cmd_send(text)
        if word == "VERSION" and "extension-version" in srv.defects:   # DEFECT: extension
            if text != "VERSION":
                return self.send_line("ERR syntax")
            return self.send_line("OK litsxg-py")
        if word == "WHO" and "add-command" in srv.defects:             # DEFECT: extra command
            if text != "WHO":
                return self.send_line("ERR syntax")
            return self.send_line(" ".join(["OK"] + sorted(srv.online)))
        return self.send_line("ERR unknown-command")

    def cmd_auth(self, text):
        parts = text.split(" ")
        if len(parts) != 3 or not NAME_RE.fullmatch(parts[1]) or not valid_secret(parts[2]):
            return self.send_line("ERR syntax")
        name, secret = parts[1], parts[2]
        if self.name is not None and not ("reauth-switches" in self.server.defects and name != self.name):
            return self.send_line("ERR already-authenticated")   # DEFECT reauth-switches: another name switches
        if "failed-auth-kicks-session" in self.server.defects:   # DEFECT: the older session is replaced
            other = self.server.online.get(name)                # before the secret is checked
            if other is not None and other is not self:
                other.close_after_flush("ERR session-replaced")
        self.replace_target = self.server.online.get(name)   # DEFECT replace-race: looked up too early
        self.busy = True
        task = self.loop.create_task(self.server.authenticate(name, secret))
        task.add_done_callback(lambda t: self.auth_done(t, name))

    def auth_done(self, task, name):
        self.busy = False
        srv = self.server
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            srv.fatal("identity store failure: %s" % exc)
            return
        result = task.result()
        if self.state != OPEN:
            return
        if result == "failed":
            self.failures += 1
            if "failures-per-name" in srv.defects:   # DEFECT: failures counted per name tried
                self.failures_by_name[name] = self.failures_by_name.get(name, 0) + 1
                self.failures = self.failures_by_name[name]
            srv.log.debug("authentication failed for %s" % name)
            if self.deadline_passed:           # AUTH-11: answered first, then the timeout
                self.send_line("ERR auth-failed")
                self.close_after_flush("ERR auth-timeout")
                return
            strikes = 3
            if "close-after-second-failure" in srv.defects:   # DEFECT: off by one, closes at the 2nd
                strikes = 2
            if "close-after-fourth-failure" in srv.defects:   # DEFECT: off by one, closes at the 4th
                strikes = 4
            if self.failures >= strikes:
                self.close_after_flush("ERR auth-failed")
                return
            self.send_line("ERR auth-failed")
        else:
            other = srv.online.get(name)
            if "replace-race" in srv.defects:       # DEFECT: replaces the session online when AUTH began
                other = self.replace_target
            if other is not None and other is not self:
                if "no-session-replace" in srv.defects:   # DEFECT: refuse instead of replace
                    self.send_line("ERR auth-failed")
                    self.pump()
                    return
                srv.log.debug("session of %s replaced" % name)
                other.close_after_flush("ERR session-replaced")
            if self.name is not None and self.name != name and srv.online.get(self.name) is self:
                del srv.online[self.name]             # DEFECT reauth-switches: the session moves
            if "register-not-authenticated" in srv.defects and result == "registered":
                self.send_line("OK registered")       # DEFECT: a registration leaves the connection
                self.pump()                           # unauthenticated (only AUTH of a known name does)
                return
            self.name = name
            srv.online[name] = self
            if srv.first_identity is None:
                srv.first_identity = name             # DEFECT first-identity-admin
            if self.auth_timer is not None:
                self.auth_timer.cancel()
                self.auth_timer = None
            self.deadline_passed = False
            if "auth-deadline-after-auth" in srv.defects:   # DEFECT: idle timer of twice the auth timeout
                self.auth_timer = self.loop.call_later(2 * srv.cfg["auth-timeout"], self.on_idle_timeout)
            if result == "registered" and "crash-on-third-registration" in srv.defects:  # DEFECT
                srv.registrations += 1
                if srv.registrations == 3:
                    srv.fatal("planted defect: crash on the third registration")
                    return
            srv.log.debug("%s %s" % (name, result))
            if "reregistered-reply" in srv.defects and name in srv.registered_this_run:
                result = "registered"                 # DEFECT: the reply from a per-run "new" flag
            if result == "registered":
                srv.registered_this_run.add(name)
            self.send_line("OK " + result)
            queued = srv.queues.pop(name, None)
            if queued:
                items = list(reversed(queued)) if "msg-reorder" in srv.defects else list(queued)  # DEFECT
                if "queue-per-sender" in srv.defects:   # DEFECT: one queue per sender, flushed sender by sender
                    first = {}
                    for sender, _ in items:
                        first.setdefault(sender, len(first))
                    items.sort(key=lambda it: first[it[0]])
                if "queue-clears-first-batch" in srv.defects and len(items) > FLUSH_BATCH:
                    # DEFECT: only the first batch is removed from the queue; the rest is sent
                    # now and again to the next session
                    srv.queues[name] = deque(items[FLUSH_BATCH:])
                i = 0
                while i < len(items):                  # in batches of FLUSH_BATCH
                    end = min(i + FLUSH_BATCH, len(items))
                    # DEFECT flush-batch-dup: the batch's end taken inclusively
                    batch = items[i:end + 1] if "flush-batch-dup" in srv.defects else items[i:end]
                    for sender, msg in batch:
                        line = ("MSG %s %s\n" % (sender, msg)).encode()
                        self.backlog.append((line, True))
                        self.backlog_bytes += len(line)
                        self.initial_bytes += len(line)
                    # DEFECT flush-batch-skip: the next batch starts one past the end
                    i = end + 1 if "flush-batch-skip" in srv.defects else end
                srv.persist_queues()
                self.feed()
        self.pump()

    def cmd_send(self, text):
        srv = self.server
        rest = text[5:] if text.startswith("SEND ") else None
        sp = rest.find(" ") if rest is not None else -1
        if sp < 0:
            return self.send_line("ERR syntax")
        to, msg = rest[:sp], rest[sp + 1:]
        if not NAME_RE.fullmatch(to) or msg == "":
            return self.send_line("ERR syntax")
        if "send-check-after-deliver" in srv.defects and self.name is None:   # DEFECT: the
            target = srv.online.get(to)                                       # authentication checked
            if target is not None:                                            # after delivery
                target.deliver(("MSG - %s\n" % msg).encode())
        if self.name is None:
            return self.send_line("ERR not-authenticated")
        if to not in srv.store.rows and "unknown-recipient-queued" not in srv.defects:  # DEFECT
            return self.send_line("ERR unknown-recipient")
        if "text-rstrip" in srv.defects:              # DEFECT: trailing whitespace stripped
            msg = msg.rstrip()
        if srv.log.debug_enabled:
            srv.log.debug("message from %s to %s: %s" % (self.name, to, msg))
        target = srv.online.get(to)
        if target is self and "no-echo" in srv.defects:   # DEFECT: nothing echoed to its sender
            return self.send_line("OK delivered")
        if target is not None and target.deliver(("MSG %s %s\n" % (self.name, msg)).encode()):
            # DEFECT live-answered-queued: every message goes through the backlog, so "queued"
            return self.send_line("OK queued" if "live-answered-queued" in srv.defects else "OK delivered")
        queue = srv.queues.get(to)
        if queue is None:
            queue = srv.queues[to] = deque()
        if len(queue) >= srv.cfg["max-queued"] and "queue-unbounded" not in srv.defects:  # DEFECT
            return self.send_line("ERR queue-full")
        if "queue-keeps-last-32" in srv.defects and len(queue) >= 32:   # DEFECT: a 32-slot ring
            queue.popleft()
        queue.append((self.name, msg))
        srv.persist_queues()
        return self.send_line("OK queued")

    # -- writing -------------------------------------------------------------------
    def pending_bytes(self):
        if "pending-ignores-outbuf" in self.server.defects:   # DEFECT: only the backlog counted, not
            return self.backlog_bytes - self.initial_bytes      # the output buffer handed to the writer
        return len(self.outbuf) + self.backlog_bytes - self.initial_bytes

    def deliver(self, line):
        """Adds a MSG line; False (and the connection dropped) if that would push the
        pending output over --max-pending-bytes."""
        if self.state != OPEN:
            # DEFECT offline-after-linger: a closing connection still takes (and loses) messages;
            # DEFECT slow-drop-stays-online: so does a connection dropped as a slow consumer
            return ((self.state == CLOSING and "offline-after-linger" in self.server.defects)
                    or (self.dropped and "slow-drop-stays-online" in self.server.defects))
        self.delivered += 1
        if ("pending-checked-every-2048" in self.server.defects   # DEFECT: the check amortised,
                and self.delivered % 2048 != 0):                  # run every 2048th delivery only
            pass
        elif self.pending_bytes() + len(line) > self.server.cfg["max-pending-bytes"]:
            self.slow_consumer()
            return False
        self.backlog.append((line, False))
        self.backlog_bytes += len(line)
        if "deliver-no-flush" in self.server.defects:   # DEFECT: the writer not armed on delivery;
            return True                                 # the MSG waits for the next event of its connection
        if "resend-last-msg" in self.server.defects:    # DEFECT: the last live MSG resent on the
            self.unconfirmed = line                     # recipient's next PING (at-least-once)
        self.feed()
        return True

    def feed(self):
        limit = min(OWN_BACKPRESSURE_BYTES, max(1, self.server.cfg["max-pending-bytes"] // 2))
        while self.state == OPEN and self.backlog and len(self.outbuf) < limit:
            while self.backlog and len(self.outbuf) < limit:
                line, initial = self.backlog.popleft()
                self.backlog_bytes -= len(line)
                if initial:
                    self.initial_bytes -= len(line)
                self.outbuf += line
            self.flush()

    def send_line(self, s):
        if self.state != OPEN:
            return
        self.outbuf += (s + "\n").encode()
        if ("replies-count-as-pending" in self.server.defects   # DEFECT: no backpressure; replies
                and len(self.outbuf) > self.server.cfg["max-pending-bytes"]):   # count as pending output
            self.slow_consumer()
            return
        self.flush()

    def flush(self):
        if self.state == CLOSED:
            return
        while self.outbuf:
            try:
                n = self.sock.send(self.outbuf)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.finish_close()
                return
            if n <= 0:
                break
            self.mid_line = self.outbuf[n - 1] != 0x0A
            del self.outbuf[:n]
        self.set_writing(bool(self.outbuf))

    def on_writable(self):
        self.flush()
        if self.state == OPEN:
            self.feed()
            self.pump()
        elif self.state == CLOSING and not self.outbuf:
            self.shutdown_write()


def valid_secret(secret):
    # Spaces cannot occur (the line was split on them); control characters other than
    # TAB were rejected by the framing layer; TAB is a control character here.
    n = len(secret.encode("utf-8"))
    return SECRET_MIN_BYTES <= n <= SECRET_MAX_BYTES and "\t" not in secret


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------
class Server:
    def __init__(self, cfg, defects, log):
        self.cfg = cfg
        self.defects = defects
        self.log = log
        self.loop = asyncio.new_event_loop()
        self.online = {}        # name -> Conn
        self.queues = {}        # name -> deque[(sender, text)], in memory only
        self.registrations = 0  # since start (DEFECT crash-on-third-registration)
        self.registering = {}   # name -> Future, a registration in progress
        self.first_identity = None      # DEFECT first-identity-admin
        self.registered_this_run = set()  # DEFECT reregistered-reply
        self.conns = set()
        self.live = 0
        self.exit_code = 0
        self.lock_fd = None
        self.store = None
        self.lsock = None
        self.accepting = False
        self.hash_pool = ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2)),
                                            thread_name_prefix="litsxg-hash")
        self.queue_file = os.path.join(cfg["data-dir"], "queue.json")

    # -- startup -------------------------------------------------------------------
    def start(self):
        cfg = self.cfg
        self.lock_fd = open_data_dir(cfg["data-dir"])
        if "log-file" in self.defects:                  # DEFECT: a log file
            try:
                self.log.file = open(os.path.join(cfg["data-dir"], "litsxg.log"), "a")
            except OSError:
                pass
        self.store = IdentityStore(cfg["data-dir"], self.defects, self.log)
        if "queue-survives-restart" in self.defects:    # DEFECT: queue on disk
            self.load_queues()
        family, host = cfg["bind-addr"]
        try:
            lsock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as e:
            raise StartError("cannot create socket for %s: %s" % (cfg["bind"], e.strerror or e))
        try:
            lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            lsock.bind((host, cfg["port"]))
            lsock.listen(1024)
            lsock.setblocking(False)
        except OSError as e:
            lsock.close()
            raise StartError("cannot listen on %s port %d: %s" % (cfg["bind"], cfg["port"], e.strerror or e))
        self.lsock = lsock
        addr = lsock.getsockname()
        shown = "[%s]" % addr[0] if family == socket.AF_INET6 else addr[0]
        self.loop.set_exception_handler(self.on_loop_exception)
        self.loop.add_signal_handler(signal.SIGTERM, self.on_signal, signal.SIGTERM)
        self.loop.add_signal_handler(signal.SIGINT, self.on_signal, signal.SIGINT)
        self.set_accepting(True)
        self.log.info("started: data directory %s, %d identities, max-connections %d"
                      % (cfg["data-dir"], len(self.store.rows), cfg["max-connections"]))
        sys.stdout.write("litsxg listening on %s:%d\n" % (shown, addr[1]))
        sys.stdout.flush()

    def run(self):
        try:
            self.loop.run_forever()
        finally:
            self.shutdown()
        return self.exit_code

    def on_signal(self, signum):
        name = "SIGTERM" if signum == signal.SIGTERM else "SIGINT"
        self.log.info("%s received, stopping" % name)
        code = 0
        if signum == signal.SIGTERM and "exit-nonzero-on-term" in self.defects:   # DEFECT
            code = 1
        self.stop(code)

    def stop(self, code):
        self.exit_code = code
        self.loop.stop()

    def fatal(self, msg):
        self.log.error("fatal: %s" % msg)
        self.stop(1)

    def on_loop_exception(self, loop, context):
        exc = context.get("exception")
        self.fatal("%s%s" % (context.get("message", "error"), (": %r" % exc) if exc else ""))

    def shutdown(self):
        self.set_accepting(False)
        if self.lsock is not None:
            self.lsock.close()
        for conn in list(self.conns):
            if conn.state != CLOSED:
                try:
                    conn.flush()
                except Exception:
                    pass
                conn.finish_close()
        self.hash_pool.shutdown(wait=False, cancel_futures=True)
        if self.store is not None:
            self.store.close()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
        self.log.info("stopped (exit status %d)" % self.exit_code)
        try:
            self.loop.close()
        except Exception:
            pass

    # -- accepting -----------------------------------------------------------------
    def set_accepting(self, on):
        if self.lsock is None:
            return
        if on and not self.accepting:
            self.loop.add_reader(self.lsock.fileno(), self.on_accept)
            self.accepting = True
        elif not on and self.accepting:
            self.loop.remove_reader(self.lsock.fileno())
            self.accepting = False

    def on_accept(self):
        for _ in range(ACCEPT_BATCH):
            try:
                sock, peer = self.lsock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self.log.warn("cannot accept: %s; pausing accepts for 100 ms" % e.strerror)
                    self.set_accepting(False)
                    self.loop.call_later(0.1, self.set_accepting, True)
                    return
                continue
            sock.setblocking(False)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            conn = Conn(self, sock, peer)
            self.conns.add(conn)
            live = self.live
            if "max-conn-counts-authenticated" in self.defects:   # DEFECT: counts authenticated ones only
                live = len(self.online)
            if live >= self.cfg["max-connections"]:
                conn.reject_full()
            else:
                conn.start()

    # -- identities ----------------------------------------------------------------
    async def authenticate(self, name, secret):
        """'registered', 'authenticated' or 'failed'. A new identity is committed before
        this returns."""
        secret_bytes = secret.encode("utf-8")
        while True:
            row = self.store.rows.get(name)
            if row is not None:
                alg, iterations, salt, expected = row
                if alg != ALGORITHM:
                    return "failed"
                got = await self.loop.run_in_executor(self.hash_pool, derive, secret_bytes, salt, iterations)
                return "authenticated" if hmac.compare_digest(got, expected) else "failed"
            if "register-race" in self.defects:   # DEFECT: check-then-insert, no guard, no unique key
                salt = os.urandom(SALT_BYTES)
                iterations = self.cfg["pbkdf2-iterations"]
                key = await self.loop.run_in_executor(self.hash_pool, derive, secret_bytes, salt, iterations)
                exists = await self.loop.run_in_executor(self.store.executor, self.store.exists_blocking, name)
                if exists or name in self.store.rows:   # checked again (SELECT) just before the insert
                    continue
                row = (ALGORITHM, iterations, salt, key)
                await self.loop.run_in_executor(self.store.executor, self.store.insert_blocking,
                                                name, row, None, True)
                self.store.rows[name] = row
                return "registered"
            pending = self.registering.get(name)
            if pending is not None:
                await asyncio.wait([pending])
                continue
            pending = self.loop.create_future()
            self.registering[name] = pending
            try:
                salt = os.urandom(SALT_BYTES)
                iterations = self.cfg["pbkdf2-iterations"]
                key = await self.loop.run_in_executor(self.hash_pool, derive, secret_bytes, salt, iterations)
                row = (ALGORITHM, iterations, salt, key)
                clear = secret if "clear-secret" in self.defects else None
                await self.loop.run_in_executor(self.store.executor, self.store.insert_blocking,
                                                name, row, clear)
                self.store.rows[name] = row
                return "registered"
            finally:
                del self.registering[name]
                pending.set_result(None)

    # -- DEFECT queue-survives-restart ---------------------------------------------
    def load_queues(self):
        try:
            with open(self.queue_file) as f:
                data = json.load(f)
        except (OSError, ValueError):
            return
        for name, items in data.items():
            self.queues[name] = deque((s, t) for s, t in items)

    def persist_queues(self):
        if "queue-survives-restart" not in self.defects:
            return
        data = {n: [[s, t] for s, t in q] for n, q in self.queues.items() if q}
        tmp = self.queue_file + ".tmp"
        try:
            with open(tmp, "w") as f:
                json.dump(data, f)
            os.replace(tmp, self.queue_file)
        except OSError:
            pass


def raise_fd_limit():
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = hard if hard != resource.RLIM_INFINITY else 65536
        if soft != resource.RLIM_INFINITY and soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError):
        pass


def main(argv):
    try:
        cfg = parse_args(argv)
        defects = parse_defects()
    except UsageError as e:
        sys.stderr.write("litsxg: %s\n" % e)
        sys.stderr.flush()
        return 2
    raise_fd_limit()
    log = Log(cfg["log-level"])
    server = Server(cfg, defects, log)
    try:
        server.start()
    except StartError as e:
        sys.stderr.write("litsxg: cannot start: %s\n" % e)
        sys.stderr.flush()
        if server.store is not None:
            server.store.close()
        return 3
    return server.run()


if __name__ == "__main__":
    status = main(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    # os._exit: never linger on worker threads once the decision to exit is made.
    os._exit(status)
