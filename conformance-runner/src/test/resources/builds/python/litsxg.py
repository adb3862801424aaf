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
import base64
import codecs
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
import unicodedata
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
INT_FLAGS = {  # name -> minimum value (spec PROC-20; the longest MSG line must fit twice)
    "port": 0,
    "max-queued": 1,
    "max-connections": 1,
    "auth-timeout": 1,
    "max-pending-bytes": 8192,
    "pbkdf2-iterations": 1,
}
LOG_LEVELS = {"error": 0, "warn": 1, "info": 2, "debug": 3}

KNOWN_DEFECTS = {
    "no-pong", "greeting", "extension-version", "queue-survives-restart",
    "forget-identities", "clear-secret", "no-session-replace", "queue-unbounded",
    "msg-reorder", "log-file", "exit-nonzero-on-term", "no-line-limit",
    "migrate-schema", "add-command", "bad-encoding-closes", "crash-on-third-registration",
}
KNOWN_DEFECTS |= {"flags-last-wins", "lenient-numbers", "bind-unresolved-is-usage", "slow-stop", "pong-free-text", "close-without-drain", "word-ends-at-whitespace", "line-limit-off-by-one", "offline-late", "eof-skips-flush", "flush-counts-pending", "queue-limit-global", "log-per-message"}  # spec 1.1 decisions
KNOWN_DEFECTS |= {  # WIRE, CMD, FINAL, HOST, SEC (defect catalogue, issue 14)
    "session-by-peer-address", "bind-dual-stack-default", "socks-sniff", "crlf-per-read",
    "cr-stripped-repeatedly", "cr-ends-line", "msg-cesu8", "err-crlf", "empty-check-before-cr",
    "blank-lines-ignored", "lenient-surrogates", "controls-c0-only", "controls-del-missed",
    "controls-not-printable", "controls-category-c", "one-line-per-read", "ping-fast-path",
    "err-no-such-user", "blank-greeting", "delivery-receipt", "third-failure-drains",
    "quit-drains-pipeline", "eof-answers-partial", "eof-drops-queued-lines", "msg-truncated-4096",
    "case-insensitive-commands", "command-prefix-match", "leading-space-stripped",
    "bare-word-unknown", "split-on-whitespace", "trailing-space-stripped", "state-before-syntax",
    "already-auth-before-syntax", "encoding-after-dispatch", "length-after-encoding",
    "irc-ping-quit", "ping-quit-trailing-space", "send-name-checked-late", "name-33",
    "name-first-char", "name-unicode-word", "secret-length-in-chars", "secret-tab-allowed",
    "send-text-stripped", "send-blank-text-refused", "auth-extra-args-ignored",
    "send-empty-text-allowed", "send-name-unchecked", "ping-requires-auth", "quit-without-bye",
    "quit-keeps-open", "starttls-offered", "tls-sniff", "pubkey-command", "login-alias",
    "http-health", "udp-listener", "x-extension-namespace", "send-options", "version-in-error-text",
    "cap-negotiation", "admin-port", "garbage-tarpit", "blocking-delivery", "utf8-split-per-read",
    "lines-per-read-cap", "timeout-keeps-slot", "reset-keeps-slot", "auth-switch",
    "cr-allowed-in-text", "late-binding-delivery", "unauth-send-delivered", "failed-secret-audit-log",
    "refused-secret-log", "auth-reply-overtaken", "too-long-silent-close", "address-lockout",
    "long-msg-refused", "auth-secret-rest-of-line",
}

KNOWN_DEFECTS |= {"register-unawaited-write", "log-file-tmp", "failed-auth-file-home", "rehash-on-login", "vacuum-on-start", "global-salt", "verify-default-iterations", "data-dir-world-readable", "db-world-readable", "names-reserved-forever", "passwd-command", "identity-cache-home", "db-file-name", "resume-sessions", "db-from-template", "queue-spill-file", "backup-on-start", "register-write-behind", "bad-db-exit-1", "cr-counted-in-limit"}  # STORE, UPG (store14), PROC-24

# Conformant variants (not defects), for the kit's own tests of what it must accept:
#   LITSXG_JOURNAL_MODE  wal (default) | delete | truncate | persist: SQLite's journal mode
#   LITSXG_LOCK_NAME     the lock file's name in the data directory (default litsxg.lock)
#   LITSXG_HASH_FORMAT   reference (default) | phc | passlib | django | json: how a row keeps
#                        its PBKDF2 parameters; opaque: a packed binary the kit cannot read
JOURNAL_MODES = ("wal", "delete", "truncate", "persist")
HASH_FORMATS = ("reference", "phc", "passlib", "django", "json", "opaque")
KNOWN_DEFECTS |= {"slow-start", "bind-retry", "stop-grace-period", "hash-worker-process", "self-restart", "db-after-ready", "secret-on-lockout", "record-auth-failures", "fatal-ignored", "no-mkdir-parents", "ready-line-as-given", "no-port-range-check", "lock-message-unnamed", "pid-lock-file", "stdin-commands", "log-to-stdout", "logfmt-debug", "access-log", "metrics-port", "shutdown-command", "pid-file", "refuse-public-bind", "default-data-dir", "machine-wide-names", "daemonize", "machine-wide-lock"}  # PROC, LOG, OPS, MULTI

# DEFECT machine-wide-names: one file for every instance of this user, whatever TMPDIR says.
MACHINE_NAMES = "/tmp/litsxg-known-names-%d" % os.getuid()
KNOWN_DEFECTS |= {"queue-keeps-last-32", "flush-batch-dup", "flush-batch-skip", "queue-per-sender", "queue-clears-first-batch", "resend-last-msg", "offline-after-linger", "register-race", "auth-deadline-cuts-check", "auth-deadline-from-first-line", "auth-deadline-after-auth", "replace-race", "pending-checked-every-2048", "pending-ignores-outbuf", "register-not-authenticated", "reregistered-reply", "close-after-second-failure", "close-after-fourth-failure", "failures-per-name", "reauth-switches", "failed-auth-kicks-session", "first-identity-admin", "send-check-after-deliver", "unknown-recipient-queued", "deliver-no-flush", "live-answered-queued", "text-rstrip", "no-echo", "line-limit-exclusive", "max-conn-counts-authenticated", "replies-count-as-pending", "slow-drop-stays-online"}  # AUTH, ROUTE, QUEUE, LIMIT
FLUSH_BATCH = 32                 # queued messages moved to the backlog per step (DEFECT flush-batch-*)

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
# Unicode category Cc other than TAB: U+0000-U+0008, U+000A-U+001F, U+007F-U+009F.
CONTROL_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
CONTROL_C0_ONLY_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f]")           # DEFECT controls-c0-only
CONTROL_NO_DEL_RE = re.compile("[\x00-\x08\x0a-\x1f\x80-\x9f]")      # DEFECT controls-del-missed
CONTROL_NO_CR_RE = re.compile("[\x00-\x08\x0a-\x0c\x0e-\x1f\x7f-\x9f]")  # DEFECT cr-allowed-in-text
NAME_33_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,32}")         # DEFECT name-33
NAME_ANY_FIRST_RE = re.compile(r"[a-z0-9_-]{1,32}")          # DEFECT name-first-char
NAME_WORD_RE = re.compile(r"[^\W_][\w-]{0,31}")              # DEFECT name-unicode-word
KNOWN_WORDS = ("AUTH", "SEND", "PING", "QUIT")


class BadLine(bytes):
    """A line the framing already judged not UTF-8 (DEFECT utf8-split-per-read, length-after-encoding)."""


def utf8_prefix_ok(data):
    """True if data is valid UTF-8 up to an incomplete last character."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(bytes(data), final=False)
        return True
    except UnicodeDecodeError:
        return False


def cesu8(text):
    """UTF-8 with characters above U+FFFF as two 3-byte surrogates (DEFECT msg-cesu8)."""
    out = bytearray()
    for c in text:
        o = ord(c)
        if o > 0xFFFF:
            o -= 0x10000
            c = chr(0xD800 + (o >> 10)) + chr(0xDC00 + (o & 0x3FF))
        out += c.encode("utf-8", "surrogatepass")
    return bytes(out)


def utf8_strict_ok(data):
    try:
        bytes(data).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def valid_name(name, defects):
    regex = NAME_RE
    if "name-33" in defects:
        regex = NAME_33_RE
    elif "name-first-char" in defects:
        regex = NAME_ANY_FIRST_RE
    elif "name-unicode-word" in defects:
        regex = NAME_WORD_RE
    return regex.fullmatch(name) is not None

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
    def __init__(self, level, defects=frozenset()):
        self.level = LOG_LEVELS[level]
        self.file = None
        self.defects = defects

    def _emit(self, name, lvl, msg):
        if lvl > self.level:
            return
        line = "%s litsxg %s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), name, msg)
        if "logfmt-debug" in self.defects and self.level >= 3:   # DEFECT: logfmt records at debug
            line = 'ts=%s level=%s msg="%s"\n' % (time.strftime("%Y-%m-%dT%H:%M:%S"), name.lower(),
                                                 msg.replace('"', "'"))
        out = sys.stdout if "log-to-stdout" in self.defects else sys.stderr   # DEFECT: logs on stdout
        try:
            out.write(line)
            out.flush()
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
def parse_args(argv, defects=frozenset()):
    """Returns the option dict; raises UsageError with a one-line message (exit 2), or
    StartError when --bind does not resolve (exit 3, spec PROC-21)."""
    if argv and argv[0] == "server":
        argv = argv[1:]
    opts = dict(DEFAULTS)
    seen = set()
    if "default-data-dir" in defects:               # DEFECT: another default data directory
        opts["data-dir"] = "./data"
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
            nxt = argv[i + 1] if i + 1 < len(argv) else None
            if nxt is None or nxt[2:].split("=", 1)[0] in DEFAULTS and nxt.startswith("--"):
                raise UsageError("option --%s needs a value" % name)
            value = argv[i + 1]
            i += 2
        if name not in DEFAULTS:
            raise UsageError("unknown option --%s" % name)
        if name in seen and "flags-last-wins" not in defects:   # DEFECT: a repeated flag overrides
            raise UsageError("option --%s given twice" % name)
        seen.add(name)
        if value == "":
            raise UsageError("option --%s needs a non-empty value" % name)
        if name in INT_FLAGS:
            if "lenient-numbers" in defects:      # DEFECT: int() takes signs and spaces; any minimum 0
                try:
                    n = int(value)
                except ValueError:
                    raise UsageError("option --%s needs a whole number, got %r" % (name, value))
                if n < 0 or (name == "port" and n > 65535):
                    raise UsageError("option --%s out of range: %s" % (name, value))
                opts[name] = n
                continue
            if not re.fullmatch(r"[0-9]{1,18}", value):
                raise UsageError("option --%s needs a whole number, got %r" % (name, value))
            n = int(value)
            if n < INT_FLAGS[name] or (name == "port" and n > 65535 and "no-port-range-check" not in defects):
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
    opts["bind-addr"] = resolve_bind(opts["bind"], defects)
    if "refuse-public-bind" in defects and opts["bind"] in ("0.0.0.0", "::"):   # DEFECT: discipline
        raise UsageError("refusing --bind %s: bind to loopback and publish through Tor" % opts["bind"])
    return opts


def resolve_bind(value, defects=frozenset()):
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
        if "bind-unresolved-is-usage" in defects:   # DEFECT: an unresolvable name is bad usage
            raise UsageError("option --bind: cannot resolve %r" % value) from e
        raise StartError("cannot listen on %s: the name does not resolve" % value) from e
    if not infos:
        raise StartError("cannot listen on %s: the name does not resolve" % value)
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr[0]


# Conformant variants, NOT defects: LITSXG_VARIANT (comma-separated) switches on a behaviour the
# spec allows but the reference does not show, so that `litsxg conformance matrix` can show two
# conformant builds that differ. free-text: every OK/ERR reply carries free text after its word
# or code, one space apart (WIRE-11 MAY).
KNOWN_VARIANTS = {"free-text"}
FREE_TEXT = "(free text of the litsxg.py variant)"
VARIANTS = frozenset()


def parse_switches(variable, known):
    """The comma-separated names in environment variable `variable`; an unknown one is bad usage."""
    names = {n.strip() for n in os.environ.get(variable, "").split(",") if n.strip()}
    unknown = sorted(names - known)
    if unknown:
        raise UsageError("unknown %s %s" % (variable, ",".join(unknown)))
    return frozenset(names)


def parse_variants():
    return parse_switches("LITSXG_VARIANT", KNOWN_VARIANTS)


def reply_text(line):
    """A reply line as sent: with free text after the word or code under the free-text variant."""
    if "free-text" in VARIANTS and (line.startswith("OK ") or line.startswith("ERR ")):
        return line + " " + FREE_TEXT
    return line


def parse_defects():
    return parse_switches("LITSXG_DEFECT", KNOWN_DEFECTS)


def parse_variant():
    """The conformant storage variant chosen by LITSXG_JOURNAL_MODE, LITSXG_LOCK_NAME and
    LITSXG_HASH_FORMAT (see the top of this file)."""
    journal = os.environ.get("LITSXG_JOURNAL_MODE", "wal").lower() or "wal"
    lock = os.environ.get("LITSXG_LOCK_NAME", "litsxg.lock") or "litsxg.lock"
    fmt = os.environ.get("LITSXG_HASH_FORMAT", "reference").lower() or "reference"
    if journal not in JOURNAL_MODES:
        raise UsageError("LITSXG_JOURNAL_MODE must be one of %s" % ", ".join(JOURNAL_MODES))
    if fmt not in HASH_FORMATS:
        raise UsageError("LITSXG_HASH_FORMAT must be one of %s" % ", ".join(HASH_FORMATS))
    if "/" in lock or lock in ("", ".", "..") or lock.startswith("identities.db"):
        raise UsageError("LITSXG_LOCK_NAME must be a plain file name")
    return {"journal": journal, "lock": lock, "format": fmt}


VARIANT = {"journal": "wal", "lock": "litsxg.lock", "format": "reference"}
DEFECTS = frozenset()


# ---------------------------------------------------------------------------
# Data directory, lock and identity store
# ---------------------------------------------------------------------------
def open_data_dir(path, defects=frozenset()):
    """Creates the directory (0700) if missing and takes the exclusive lock. Returns the lock fd."""
    if not os.path.isdir(path):
        if os.path.lexists(path):
            raise StartError("data directory %s is unusable: not a directory" % path)
        try:
            if "data-dir-world-readable" in defects:   # DEFECT: the umask decides (0755)
                os.makedirs(path)
            elif "no-mkdir-parents" in defects:         # DEFECT: mkdir without its parents
                os.mkdir(path, mode=0o700)
                os.chmod(path, 0o700)
            else:
                os.makedirs(path, mode=0o700)
                os.chmod(path, 0o700)
        except FileExistsError:
            if not os.path.isdir(path):
                raise StartError("data directory %s is unusable: not a directory" % path)
        except OSError as e:
            raise StartError("data directory %s is unusable: %s" % (path, e.strerror or e))
    lock_path = os.path.join(path, VARIANT["lock"])
    if "machine-wide-lock" in defects:                # DEFECT: one lock for every instance of this user
        lock_path = "/tmp/litsxg-%d.lock" % os.getuid()
    if "pid-lock-file" in defects:                    # DEFECT: a lock file that must not exist
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            raise StartError("data directory %s is locked by another litsxg instance (%s exists)"
                             % (path, lock_path))
        except OSError as e:
            raise StartError("data directory %s is unusable: %s" % (path, e.strerror or e))
        os.write(fd, b"%d\n" % os.getpid())
        return fd
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise StartError("data directory %s is unusable: %s" % (path, e.strerror or e))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            if "lock-message-unnamed" in defects:     # DEFECT: the message names no directory
                raise StartError("another litsxg instance is already running")
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
# The other row encodings of the conformant variants (LITSXG_HASH_FORMAT).
CREATE_ONE_STRING = ("CREATE TABLE identities(name TEXT PRIMARY KEY, password TEXT NOT NULL, "
                     "created_at INTEGER NOT NULL)")
CREATE_JSON = ("CREATE TABLE identities(name TEXT PRIMARY KEY, hash BLOB NOT NULL, params TEXT NOT NULL, "
               "created_at INTEGER NOT NULL)")
CREATE_OPAQUE = ("CREATE TABLE identities(name TEXT PRIMARY KEY, credential BLOB NOT NULL, "
                 "created_at INTEGER NOT NULL)")
GLOBAL_SALT = b"litsxg-site-salt"   # DEFECT global-salt: one salt for every row


def _b64(b, pad=True):
    import base64
    t = base64.b64encode(b).decode("ascii")
    return t if pad else t.rstrip("=")


def _unb64(t):
    import base64
    t = t.replace(".", "+")
    return base64.b64decode(t + "=" * (-len(t) % 4))


def encode_row(fmt, row):
    """The column values (after name, before created_at) of a row in format fmt."""
    alg, it, salt, h = row
    if fmt == "reference":
        return (alg, it, salt, h)
    if fmt == "phc":
        return ("$pbkdf2-sha256$i=%d$%s$%s" % (it, _b64(salt, False), _b64(h, False)),)
    if fmt == "passlib":
        return ("$pbkdf2-sha256$%d$%s$%s" % (it, _b64(salt, False).replace("+", "."),
                                             _b64(h, False).replace("+", ".")),)
    if fmt == "django":
        return ("pbkdf2_sha256$%d$%s$%s" % (it, salt.decode("ascii"), _b64(h)),)
    if fmt == "json":
        return (h, json.dumps({"algorithm": "pbkdf2-sha256", "iterations": it, "salt": _b64(salt)}))
    return (b"PK1" + it.to_bytes(4, "big") + bytes([len(salt)]) + salt + h,)     # opaque


def decode_row(fmt, values):
    """(algorithm, iterations, salt, hash) from a row's values, or None if unreadable."""
    try:
        if fmt == "reference":
            alg, it, salt, h = values
            return (alg, int(it), bytes(salt), bytes(h))
        if fmt in ("phc", "passlib"):
            _, scheme, its, salt, h = values[0].split("$")
            return (ALGORITHM if scheme == "pbkdf2-sha256" else scheme, int(its.split("=")[-1]),
                    _unb64(salt), _unb64(h))
        if fmt == "django":
            scheme, its, salt, h = values[0].split("$")
            return (ALGORITHM if scheme == "pbkdf2_sha256" else scheme, int(its), salt.encode("utf-8"),
                    _unb64(h))
        if fmt == "json":
            h, params = values
            p = json.loads(params)
            return (ALGORITHM if p.get("algorithm") == "pbkdf2-sha256" else str(p.get("algorithm")),
                    int(p["iterations"]), _unb64(p["salt"]), bytes(h))
        b = bytes(values[0])
        n = b[7]
        return (ALGORITHM, int.from_bytes(b[3:7], "big"), b[8:8 + n], b[8 + n:])
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def new_salt(fmt):
    if "global-salt" in DEFECTS:
        return GLOBAL_SALT
    if fmt == "django":     # Django keeps its salt as text: 22 letters and digits
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return "".join(alphabet[b % len(alphabet)] for b in os.urandom(22)).encode("ascii")
    return os.urandom(SALT_BYTES)


class IdentityStore:
    """identities.db. Rows are cached in memory (name -> (algorithm, iterations, salt, hash));
    every write runs on the single 'litsxg-db' thread and is committed (synchronous=FULL, WAL
    or the journal mode of LITSXG_JOURNAL_MODE) before the call returns."""

    def __init__(self, data_dir, defects, log):
        self.defects = defects
        self.log = log
        self.fmt = VARIANT["format"]
        self.path = os.path.join(data_dir, "identities.db")
        if "db-file-name" in defects:                    # DEFECT: the database under another name
            self.path = os.path.join(data_dir, "identities.sqlite3")
        self.rows = {}
        self.db = None
        self.file_db = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="litsxg-db")
        self.cache_file = None
        try:
            self._open()
        except sqlite3.Error as e:
            if "bad-db-exit-1" in self.defects:           # DEFECT: an unreadable database is "fatal", exit 1
                sys.stderr.write("litsxg: fatal: identities.db: %s\n" % e)
                sys.stderr.flush()
                os._exit(1)
            raise StartError("data directory %s is unusable: identities.db: %s" % (data_dir, e))
        except OSError as e:
            raise StartError("data directory %s is unusable: identities.db: %s" % (data_dir, e.strerror or e))

    def _open(self):
        if not os.path.lexists(self.path):
            mode = 0o644 if "db-world-readable" in self.defects else 0o600   # DEFECT: 0644
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
            if "db-from-template" in self.defects:    # DEFECT: a new database copied from a template
                os.write(fd, self.template_bytes())   # (SQLite then replays a stale -wal over it)
            os.close(fd)
            os.chmod(self.path, mode)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.file_db = db
        want = VARIANT["journal"]
        mode = db.execute("PRAGMA journal_mode=%s" % want.upper()).fetchone()[0]
        if str(mode).lower() != want:
            raise sqlite3.OperationalError("cannot switch to %s journal (got %s)" % (want, mode))
        db.execute("PRAGMA synchronous=FULL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        cols = self._columns(db)
        create = {"reference": CREATE_TABLE, "json": CREATE_JSON, "opaque": CREATE_OPAQUE}.get(
            self.fmt, CREATE_ONE_STRING)
        if not cols:
            if version != 0:
                raise sqlite3.DatabaseError("unknown schema (user_version %d, no identities table)" % version)
            db.execute("BEGIN IMMEDIATE")
            db.execute(create)
            if "names-reserved-forever" in self.defects:  # DEFECT: a name is never claimable again
                db.execute("CREATE TABLE reserved_names(name TEXT PRIMARY KEY)")
            db.execute("PRAGMA user_version = %d" % SCHEMA_VERSION)
            db.execute("COMMIT")
            cols = self._columns(db)
        self.value_columns = {"reference": ["algorithm", "iterations", "salt", "hash"], "json": ["hash", "params"],
                              "opaque": ["credential"]}.get(self.fmt, ["password"])
        missing = (set(self.value_columns) | {"name", "created_at"}) - cols
        if missing:
            raise sqlite3.DatabaseError("unknown schema (missing %s)" % ",".join(sorted(missing)))

        if "migrate-schema" in self.defects:          # DEFECT: a migration on start
            if "last_seen" not in cols:
                db.execute("ALTER TABLE identities ADD COLUMN last_seen INTEGER")
            db.execute("PRAGMA user_version = 2")
        if "clear-secret" in self.defects and "secret" not in cols:   # DEFECT: clear secret column
            db.execute("ALTER TABLE identities ADD COLUMN secret TEXT")
        if "vacuum-on-start" in self.defects:         # DEFECT: "compacts" the file on every start
            db.execute("VACUUM")

        if "forget-identities" in self.defects:       # DEFECT: identities in memory only
            mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            mem.execute(create)
            if "clear-secret" in self.defects:
                mem.execute("ALTER TABLE identities ADD COLUMN secret TEXT")
            self.db = mem
        else:
            self.db = db
        for r in self.db.execute("SELECT name, %s FROM identities" % ", ".join(self.value_columns)):
            row = decode_row(self.fmt, r[1:])
            if row is not None:
                self.rows[r[0]] = row
        if "names-reserved-forever" in self.defects:
            for (name,) in self.db.execute("SELECT name FROM reserved_names"):
                self.rows.setdefault(name, ("reserved", 1, b"", b""))
        if "identity-cache-home" in self.defects:     # DEFECT: rows cached outside identities.db
            import hashlib as _h
            home = os.path.expanduser("~")
            key = _h.sha256(os.path.abspath(self.path).encode()).hexdigest()[:16]
            self.cache_file = os.path.join(home, ".cache", "litsxg", "identities-%s.json" % key)
            try:
                with open(self.cache_file) as f:
                    for name, (alg, it, salt, h) in json.load(f).items():
                        self.rows[name] = (alg, it, bytes.fromhex(salt), bytes.fromhex(h))
            except (OSError, ValueError):
                pass

    def save_cache(self):
        if self.cache_file is None:
            return
        try:
            os.makedirs(os.path.dirname(self.cache_file), exist_ok=True)
            with open(self.cache_file, "w") as f:
                json.dump({n: [a, i, s.hex(), h.hex()] for n, (a, i, s, h) in self.rows.items()}, f)
        except OSError:
            pass

    @staticmethod
    def template_bytes():
        """DEFECT db-from-template: an empty database with the schema, as a build might bundle."""
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            t = sqlite3.connect(os.path.join(d, "template.db"), isolation_level=None)
            t.execute(CREATE_TABLE)
            t.execute("PRAGMA user_version = %d" % SCHEMA_VERSION)
            t.close()
            with open(os.path.join(d, "template.db"), "rb") as f:
                return f.read()

    @staticmethod
    def _columns(db):
        return {r[1] for r in db.execute("PRAGMA table_info(identities)")}

    def insert_blocking(self, name, row, secret, replace=False):
        """Runs on the db thread; returns once the row is durably committed (autocommit).
        replace: DEFECT register-race, INSERT OR REPLACE (the later registration wins)."""
        values = encode_row(self.fmt, row)
        cols = list(self.value_columns)
        if "clear-secret" in self.defects:
            cols.append("secret")
            values = values + (secret,)
        self.db.execute("INSERT %sINTO identities(name, %s, created_at) VALUES (?, %s?)"
                        % ("OR REPLACE " if replace else "", ", ".join(cols), "?, " * len(values)), (name,) + tuple(values) + (int(time.time()),))
        if "names-reserved-forever" in self.defects:
            self.db.execute("INSERT OR IGNORE INTO reserved_names(name) VALUES (?)", (name,))

    def rehash_blocking(self, name, row):
        """DEFECT rehash-on-login: rewrites a row at the build's own iteration count."""
        self.db.execute("UPDATE identities SET %s WHERE name = ?"
                        % ", ".join("%s = ?" % c for c in self.value_columns),
                        tuple(encode_row(self.fmt, row)) + (name,))

    def record_failure(self, name):
        """DEFECT record-auth-failures: runs on the db thread."""
        try:
            self.db.execute("CREATE TABLE IF NOT EXISTS auth_failures(name TEXT, at INTEGER)")
            self.db.execute("INSERT INTO auth_failures(name, at) VALUES (?, ?)", (name, int(time.time())))
        except sqlite3.Error:
            pass

    def exists_blocking(self, name):                  # DEFECT register-race: the separate SELECT
        return self.db.execute("SELECT 1 FROM identities WHERE name = ?", (name,)).fetchone() is not None

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
        self.first_read = True      # DEFECT socks-sniff, tls-sniff
        self.partial_bad = False    # DEFECT utf8-split-per-read
        self.discarding = False     # DEFECT length-after-encoding
        self.drain_close = False    # DEFECT quit-drains-pipeline, third-failure-drains
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
        if "blank-greeting" in self.server.defects:    # DEFECT: an empty line on connect
            self.send_line("")
        if "session-by-peer-address" in self.server.defects:   # DEFECT: session keyed by address
            self.name = self.server.by_address.get(self.peer[0])
        self.update_reading()

    def reject_full(self):
        self.close_after_flush("ERR server-full")

    def on_auth_timeout(self):
        self.auth_timer = None
        if self.state == OPEN and self.name is None:
            if "timeout-keeps-slot" in self.server.defects:   # DEFECT: this path skips the count
                self.counted = False
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
        if "offline-late" in self.server.defects and self.name is not None:
            # DEFECT: the name stays connected until the socket is closed; SENDs meanwhile
            # are "delivered" into the closing connection and lost.
            if self.counted:
                self.counted = False
                self.server.live -= 1
        else:
            self.go_offline()
        self.state = CLOSING
        self.lines.clear()
        self.lines_bytes = 0
        self.inbuf = bytearray()
        while self.backlog:
            self.outbuf += self.backlog.popleft()[0]
        self.backlog_bytes = self.initial_bytes = 0
        if final_line is not None:
            self.outbuf += (reply_text(final_line) + "\n").encode()
        self.close_timer = self.loop.call_later(CLOSE_FLUSH_SECONDS, self.finish_close)
        self.set_reading(not self.eof)
        self.flush()
        if self.state == CLOSING and not self.outbuf:
            self.closing_flushed()

    def closing_flushed(self):
        """The last output of a closing connection has been handed to the OS."""
        if "close-without-drain" in self.server.defects:   # DEFECT: close with unread input (RST)
            self.finish_close()
        else:
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
            if "reset-keeps-slot" in self.server.defects:    # DEFECT: a reset skips the count
                self.counted = False
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
            if self.inbuf and "eof-answers-partial" in self.server.defects:   # DEFECT
                self.lines.append(bytes(self.inbuf))
            if "eof-drops-queued-lines" in self.server.defects:   # DEFECT: EOF tears down the input
                self.lines.clear()
                self.lines_bytes = 0
            self.inbuf = bytearray()       # an unterminated line at EOF is discarded
            self.lines.append(EOF_MARK)
            self.set_reading(False)
        else:
            if self.first_read and self.sniff(data):
                return
            self.first_read = False
            self.parse(data)
        self.pump()

    def sniff(self, data):
        """DEFECT socks-sniff / tls-sniff: a first read that looks like SOCKS5 or TLS."""
        d = self.server.defects
        if "socks-sniff" in d and data[:1] == b"\x05" and len(data) >= 2:
            rest = data[2 + data[1]:]
            self.sock.send(b"\x05\x00")                 # no authentication required
            if rest[:1] != b"\x05":                      # not a CONNECT request: general failure
                self.sock.send(b"\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00")
                self.finish_close()
            return True
        if "tls-sniff" in d and data[:1] == b"\x16":
            self.sock.send(b"\x15\x03\x03\x00\x02\x02\x28")   # TLS alert: handshake_failure
            self.finish_close()
            return True
        return False

    def parse(self, data):
        if self.input_done:
            return
        d = self.server.defects
        limit = "no-line-limit" not in d   # DEFECT: no line limit
        if "crlf-per-read" in d:           # DEFECT: CRLF turned into LF per read, not per line
            data = data.replace(b"\r\n", b"\n")
        if "cr-ends-line" in d:            # DEFECT: a CR alone ends a line too (splitlines)
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        bad_read = "utf8-split-per-read" in d and not utf8_strict_ok(data)   # DEFECT: decoded per read
        if self.discarding:                # DEFECT length-after-encoding: skipping to the LF
            nl = data.find(b"\n")
            if nl < 0:
                return
            data = data[nl + 1:]
            self.discarding = False
        buf = self.inbuf
        scan = len(buf)
        buf += data
        start = 0
        taken = 0
        carry = self.partial_bad
        while True:
            nl = buf.find(b"\n", scan)
            if nl < 0:
                break
            line = bytes(buf[start:nl])
            start = scan = nl + 1
            bad = bad_read or carry
            carry = False
            if "empty-check-before-cr" in d and not line:   # DEFECT: empty test before the CR goes
                continue
            if line.endswith(b"\r") and "crlf-per-read" not in d:
                line = line[:-1]
                if "cr-stripped-repeatedly" in d:           # DEFECT: every trailing CR dropped
                    line = line.rstrip(b"\r")
            if limit and (len(line) > MAX_LINE_BYTES
                          or ("line-limit-exclusive" in d and len(line) == MAX_LINE_BYTES)):   # DEFECT
                if "length-after-encoding" in d and not utf8_prefix_ok(line):   # DEFECT
                    self.lines.append(BadLine(b"?"))
                    self.lines_bytes += 2
                    continue
                self.too_long()
                return
            taken += 1
            if "one-line-per-read" in d and taken > 1:      # DEFECT: the rest of the read is lost
                continue
            if "lines-per-read-cap" in d and taken > 256:   # DEFECT: "flood protection" drops lines
                continue
            if "blank-lines-ignored" in d and not line.strip(b" \t"):   # DEFECT
                continue
            if line or "empty-check-before-cr" in d:        # an empty line is ignored
                if bad:
                    line = BadLine(line)
                if "ping-fast-path" in d and line == b"PING":   # DEFECT: PING answered on read
                    self.send_line("PONG")
                    continue
                self.lines.append(line)
                self.lines_bytes += len(line) + 1
        del buf[:start]
        self.partial_bad = bool(buf) and (bad_read or carry)
        # An unterminated remainder already longer than the limit (one trailing CR may
        # still turn out to be part of a CRLF terminator).
        off_by_one = "line-limit-off-by-one" in self.server.defects   # DEFECT: waits for 4098 bytes
        if limit and (len(buf) > MAX_LINE_BYTES + 1
                      or (len(buf) == MAX_LINE_BYTES + 1 and not off_by_one
                          and (buf[-1] != 0x0D or "cr-counted-in-limit" in d))):   # DEFECT: a CR counted in
            if "length-after-encoding" in d and not utf8_prefix_ok(buf[:MAX_LINE_BYTES]):   # DEFECT
                self.lines.append(BadLine(b"?"))
                self.lines_bytes += 2
                self.inbuf = bytearray()
                self.discarding = True
                return
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
                if "too-long-silent-close" in self.server.defects:   # DEFECT: no ERR before the close
                    self.close_after_flush(None)
                    return
                self.close_after_flush("ERR line-too-long")
                return
            self.lines_bytes -= len(item) + 1
            self.handle_line(item)
        if self.drain_close and self.state == OPEN and not self.busy and not self.lines:
            self.close_after_flush(None)   # DEFECT quit-drains-pipeline, third-failure-drains
            return
        self.update_reading()

    def handle_line(self, raw):
        srv = self.server
        d = srv.defects
        if isinstance(raw, BadLine):                     # DEFECT utf8-split-per-read, length-after-encoding
            return self.send_line("ERR bad-encoding")
        if "leading-space-stripped" in d:                # DEFECT
            raw = raw.lstrip(b" ")
        if "trailing-space-stripped" in d:               # DEFECT
            raw = raw.rstrip(b" ")
        if "encoding-after-dispatch" in d:               # DEFECT: the word is looked up first
            loose = raw.decode("utf-8", "replace")
            if loose.split(" ", 1)[0] not in KNOWN_WORDS:
                return self.send_line("ERR unknown-command")
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
            text = raw.decode("utf-8", "surrogatepass" if "lenient-surrogates" in d else "strict")  # DEFECT
        except UnicodeDecodeError:
            text = None
        control = CONTROL_RE
        if "controls-c0-only" in d:                      # DEFECT: C1 controls not checked
            control = CONTROL_C0_ONLY_RE
        elif "controls-del-missed" in d:                 # DEFECT: DEL not checked
            control = CONTROL_NO_DEL_RE
        elif "cr-allowed-in-text" in d:                  # DEFECT: CR exempt like TAB
            control = CONTROL_NO_CR_RE
        if text is None:
            bad = True
        elif "controls-not-printable" in d:              # DEFECT: str.isprintable() as the test
            bad = any(not c.isprintable() and c != "\t" for c in text)
        elif "controls-category-c" in d:                 # DEFECT: every category C*, not only Cc
            bad = any(unicodedata.category(c)[0] == "C" and c != "\t" for c in text)
        else:
            bad = control.search(text) is not None
        if bad:
            if "bad-encoding-closes" in d:    # DEFECT: closes after bad-encoding
                self.close_after_flush("ERR bad-encoding")
            else:
                if "garbage-tarpit" in d:                # DEFECT: a blocking "tarpit" delay
                    time.sleep(0.025)
                self.send_line("ERR bad-encoding")
            return
        sp = text.find(" ")
        word = text if sp < 0 else text[:sp]
        if "word-ends-at-whitespace" in d:     # DEFECT: the word ends at any whitespace
            word = (text.split() or [""])[0]
        if "case-insensitive-commands" in d:             # DEFECT
            word = word.upper()
            text = word + text[len(word):]
        if "command-prefix-match" in d:                  # DEFECT: startswith() dispatch
            word = next((w for w in KNOWN_WORDS if text.startswith(w)), word)
        if "bare-word-unknown" in d and text in ("AUTH", "SEND"):   # DEFECT: "AUTH " prefix test
            return self.send_line("ERR unknown-command")
        if (word == "KICK" and "first-identity-admin" in srv.defects and self.name is not None
                and self.name == srv.first_identity):   # DEFECT: the first identity is an operator
            victim = srv.online.get(text[5:])
            if victim is not None:
                victim.close_after_flush("ERR session-replaced")
            return self.send_line("OK kicked")
        if word == "PING":
            if "ping-requires-auth" in d and self.name is None:     # DEFECT
                return self.send_line("ERR not-authenticated")
            if text != "PING" and not ("irc-ping-quit" in d                      # DEFECT
                                       or "ping-quit-trailing-space" in d and text == "PING "):
                return self.send_line("ERR syntax")
            if "pong-free-text" in d:       # DEFECT: free text after PONG
                return self.send_line("PONG alive")
            return self.send_line("OK pong" if "no-pong" in d else "PONG")
        if word == "QUIT":
            if text != "QUIT" and not ("irc-ping-quit" in d                      # DEFECT
                                       or "ping-quit-trailing-space" in d and text == "QUIT "):
                return self.send_line("ERR syntax")
            if "quit-without-bye" in d:                  # DEFECT
                return self.close_after_flush(None)
            if "quit-keeps-open" in d:                   # DEFECT: waits for the client to close
                return self.send_line("OK bye")
            if "quit-drains-pipeline" in d:              # DEFECT: lines already read still answered
                self.send_line("OK bye")
                self.drain_close = True
                return
            return self.close_after_flush("OK bye")
        if word == "SHUTDOWN" and "shutdown-command" in srv.defects:   # DEFECT: admin command
            if text != "SHUTDOWN":
                return self.send_line("ERR syntax")
            self.send_line("OK bye")
            srv.loop.call_later(0.05, srv.stop, 0)
            return
        if word == "AUTH":
            return self.cmd_auth(text)
        if word == "LOGIN" and "login-alias" in d:       # DEFECT: a second login command
            return self.cmd_auth("AUTH" + text[5:])
        if word == "SEND":
            return self.cmd_send(text)
        if word == "VERSION" and "extension-version" in d:   # DEFECT: extension
            if text != "VERSION":
                return self.send_line("ERR syntax")
            return self.send_line("OK litsxg-py")
        if word == "PASSWD" and "passwd-command" in d:       # DEFECT: re-keying command
            parts = text.split(" ")
            if len(parts) != 3 or not valid_secret(parts[1]) or not valid_secret(parts[2]):
                return self.send_line("ERR syntax")
            if self.name is None:
                return self.send_line("ERR not-authenticated")
            self.busy = True
            task = self.loop.create_task(srv.change_secret(self.name, parts[1], parts[2]))

            def done(t):
                self.busy = False
                if not t.cancelled() and t.exception() is None and self.state == OPEN:
                    self.send_line("OK changed" if t.result() == "changed" else "ERR auth-failed")
                self.pump()
            task.add_done_callback(done)
            return None
        if word == "WHO" and "add-command" in d:             # DEFECT: extra command
            if text != "WHO":
                return self.send_line("ERR syntax")
            return self.send_line(" ".join(["OK"] + sorted(srv.online)))
        if word == "STARTTLS" and "starttls-offered" in d:   # DEFECT
            return self.send_line("OK starttls")
        if word in ("KEY", "KEYX", "PUBKEY") and "pubkey-command" in d:   # DEFECT: key exchange
            return self.send_line("OK key")
        if word == "CAP" and "cap-negotiation" in d:         # DEFECT
            return self.send_line("OK cap")
        if word.startswith("X-") and "x-extension-namespace" in d:   # DEFECT
            return self.send_line("ERR unsupported-extension")
        if word == "GET" and text.endswith(" HTTP/1.1") and "http-health" in d:   # DEFECT
            self.outbuf += b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
            return self.close_after_flush(None)
        if "version-in-error-text" in d:                 # DEFECT: the version in free text
            return self.send_line("ERR unknown-command litsxg-py 1.1 knows AUTH, SEND, PING and QUIT")
        return self.send_line("ERR unknown-command")

    def cmd_auth(self, text):
        d = self.server.defects
        parts = text.split() if "split-on-whitespace" in d else text.split(" ")   # DEFECT
        if "auth-secret-rest-of-line" in d:              # DEFECT: maxsplit, the secret is the rest
            parts = text.split(" ", 2)
        if "auth-extra-args-ignored" in d:               # DEFECT
            parts = parts[:3]
        if "already-auth-before-syntax" in d and self.name is not None:   # DEFECT
            return self.send_line("ERR already-authenticated")
        if len(parts) != 3 or not valid_name(parts[1], d) or not valid_secret(parts[2], d):
            if "refused-secret-log" in d:                # DEFECT: refused lines kept, hex
                self.server.keep_rejected(text)
            return self.send_line("ERR syntax")
        name, secret = parts[1], parts[2]
        if (self.name is not None and "auth-switch" not in d       # DEFECT auth-switch: AUTH switches the name
                and not ("reauth-switches" in d and name != self.name)):   # DEFECT reauth-switches: another name
            return self.send_line("ERR already-authenticated")
        if "failed-auth-kicks-session" in d:             # DEFECT: the older session is replaced
            other = self.server.online.get(name)         # before the secret is checked
            if other is not None and other is not self:
                other.close_after_flush("ERR session-replaced")
        if "secret-on-lockout" in self.server.defects:
            self.last_secret = secret
        if "auth-reply-overtaken" in d:                  # DEFECT: later lines not held back
            task = self.loop.create_task(self.server.authenticate(name, secret))
            task.secret = secret
            task.add_done_callback(lambda t: self.auth_done(t, name))
            return
        self.replace_target = self.server.online.get(name)   # DEFECT replace-race: looked up too early
        self.busy = True
        task = self.loop.create_task(self.server.authenticate(name, secret))
        task.secret = secret
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
            if "failed-secret-audit-log" in srv.defects:    # DEFECT: an audit file of attempts
                srv.audit_failure(name, task.secret)
            if "address-lockout" in srv.defects:            # DEFECT: failures counted per address
                srv.failures_by_address[self.peer[0]] = srv.failures_by_address.get(self.peer[0], 0) + 1
            if "record-auth-failures" in srv.defects:   # DEFECT: failed attempts kept in the db
                srv.store.executor.submit(srv.store.record_failure, name)
            if self.failures >= 3 and "secret-on-lockout" in srv.defects:   # DEFECT: logs the secret
                srv.log.debug("closing after 3 failed AUTHs for %s, last tried %r"
                              % (name, getattr(self, "last_secret", "")))
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
                if "third-failure-drains" in srv.defects:   # DEFECT: lines already read answered
                    self.send_line("ERR auth-failed")
                    self.drain_close = True
                    self.pump()
                    return
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
                del srv.online[self.name]             # DEFECT auth-switch, reauth-switches: the session moves
            if "register-not-authenticated" in srv.defects and result == "registered":
                self.send_line("OK registered")       # DEFECT: a registration leaves the connection
                self.pump()                           # unauthenticated (only AUTH of a known name does)
                return
            self.name = name
            srv.online[name] = self
            if "session-by-peer-address" in srv.defects:   # DEFECT: remembered per address
                srv.by_address[self.peer[0]] = name
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
            if self.eof and "eof-skips-flush" in srv.defects:   # DEFECT: a half-closed client gets no queue
                queued = None
            else:
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
        d = srv.defects
        if "state-before-syntax" in d and self.name is None:   # DEFECT
            return self.send_line("ERR not-authenticated")
        if "send-options" in d:                          # DEFECT: --options skipped
            text = re.sub(r"^SEND (--[a-z]+ )+", "SEND ", text)
        rest = text[5:] if text.startswith("SEND ") else None
        if "split-on-whitespace" in d:                   # DEFECT: str.split()
            parts = text.split(None, 2)
            rest = parts[1] + " " + parts[2] if len(parts) == 3 else None
        sp = rest.find(" ") if rest is not None else -1
        if sp < 0:
            return self.send_line("ERR syntax")
        to, msg = rest[:sp], rest[sp + 1:]
        if "send-text-stripped" in d:                    # DEFECT
            msg = msg.strip()
        name_ok = valid_name(to, d) or "send-name-unchecked" in d        # DEFECT
        text_ok = msg != "" or "send-empty-text-allowed" in d            # DEFECT
        if "send-blank-text-refused" in d and msg.strip() == "":        # DEFECT
            text_ok = False
        if "send-name-checked-late" in d:                # DEFECT: the name checked after the state
            if not text_ok:
                return self.send_line("ERR syntax")
            if self.name is None:
                return self.send_line("ERR not-authenticated")
        if not name_ok or not text_ok:
            return self.send_line("ERR syntax")
        if self.name is None and srv.resumable:          # DEFECT resume-sessions: a session of the
            self.name = srv.resumable.pop(0)             # previous process taken over, no AUTH
            srv.online[self.name] = self
            if self.auth_timer is not None:
                self.auth_timer.cancel()
                self.auth_timer = None
        if "send-check-after-deliver" in srv.defects and self.name is None:   # DEFECT: the
            target = srv.online.get(to)                                       # authentication checked
            if target is not None:                                            # after delivery
                target.deliver(("MSG - %s\n" % msg).encode())
        if self.name is None:
            if "unauth-send-delivered" in d and srv.online.get(to) is not None:   # DEFECT
                srv.online[to].deliver(("MSG %s %s\n" % (self.name, msg)).encode())
            return self.send_line("ERR not-authenticated")
        if (to not in srv.store.rows and not srv.known_elsewhere(to)
                and "unknown-recipient-queued" not in d):   # DEFECT unknown-recipient-queued
            return self.send_line("ERR no-such-user" if "err-no-such-user" in d else "ERR unknown-recipient")
        if "text-rstrip" in d:                        # DEFECT: trailing whitespace stripped
            msg = msg.rstrip()
        if srv.log.debug_enabled:
            srv.log.debug("message from %s to %s: %s" % (self.name, to, msg))
        elif "log-per-message" in srv.defects:      # DEFECT: one info line per message
            srv.log.info("message from %s to %s" % (self.name, to))
        target = srv.online.get(to)
        if target is self and "no-echo" in d:      # DEFECT: nothing echoed to its sender
            return self.send_line("OK delivered")
        line = ("MSG %s %s\n" % (self.name, msg))
        line = cesu8(line) if "msg-cesu8" in d else line.encode("utf-8", "surrogatepass")  # DEFECT msg-cesu8
        if "long-msg-refused" in d and len(line) > MAX_LINE_BYTES + 1:   # DEFECT: server lines limited too
            return self.send_line("ERR line-too-long")
        if "msg-truncated-4096" in d and len(line) > MAX_LINE_BYTES + 1:   # DEFECT
            line = line[:MAX_LINE_BYTES] + b"\n"
        if target is not None and "late-binding-delivery" in d:   # DEFECT: deliveries batched
            srv.batch.append((target, line))
            if len(srv.batch) == 1:
                self.loop.call_soon(srv.flush_batch)
            return self.send_line("OK delivered")
        if target is not None and "blocking-delivery" in d:        # DEFECT: blocking write
            if target.deliver_blocking(line):
                return self.send_line("OK delivered")
        elif target is not None and target.deliver(line):
            if "delivery-receipt" in d:                   # DEFECT: an unsolicited receipt
                self.loop.call_later(0.05, self.send_line, "OK read")
            # DEFECT live-answered-queued: every message goes through the backlog, so "queued"
            return self.send_line("OK queued" if "live-answered-queued" in d else "OK delivered")
        queue = srv.queues.get(to)
        if queue is None:
            queue = srv.queues[to] = deque()
        waiting = len(queue)
        if "queue-limit-global" in d:    # DEFECT: one limit over every recipient's queue
            waiting = sum(len(q) for q in srv.queues.values())
        if waiting >= srv.cfg["max-queued"] and "queue-unbounded" not in d:  # DEFECT
            return self.send_line("ERR queue-full")
        if "queue-keeps-last-32" in srv.defects and len(queue) >= 32:   # DEFECT: a 32-slot ring
            queue.popleft()
        queue.append((self.name, msg))
        if "queue-spill-file" in srv.defects:           # DEFECT: queued text spilled to a temp file
            srv.spill(to, self.name, msg)
        srv.persist_queues()
        return self.send_line("OK queued")

    def deliver_blocking(self, line):
        """DEFECT blocking-delivery: the MSG written at once with a blocking send (5 s timeout)."""
        if self.state != OPEN:
            return False
        self.flush()
        try:
            self.sock.settimeout(5.0)
            self.sock.sendall(line)
            return True
        except OSError:
            self.sock.setblocking(False)
            self.slow_consumer()
            return False
        finally:
            if self.state != CLOSED:
                self.sock.setblocking(False)

    # -- writing -------------------------------------------------------------------
    def pending_bytes(self):
        if "flush-counts-pending" in self.server.defects:   # DEFECT: the queue flush counts as pending
            return len(self.outbuf) + self.backlog_bytes
        if "pending-ignores-outbuf" in self.server.defects:   # DEFECT: only the backlog counted, not
            return self.backlog_bytes - self.initial_bytes      # the output buffer handed to the writer
        return len(self.outbuf) + self.backlog_bytes - self.initial_bytes

    def deliver(self, line):
        """Adds a MSG line; False (and the connection dropped) if that would push the
        pending output over --max-pending-bytes."""
        if self.state == CLOSING and "offline-late" in self.server.defects:   # DEFECT (see close_after_flush)
            return True
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
        end = "\r\n" if s.startswith("ERR ") and "err-crlf" in self.server.defects else "\n"   # DEFECT
        self.outbuf += (reply_text(s) + end).encode()
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
            self.closing_flushed()


def valid_secret(secret, defects=frozenset()):
    # Spaces cannot occur (the line was split on them); control characters other than
    # TAB were rejected by the framing layer; TAB is a control character here.
    n = len(secret) if "secret-length-in-chars" in defects else len(secret.encode("utf-8"))   # DEFECT
    return SECRET_MIN_BYTES <= n <= SECRET_MAX_BYTES and ("\t" not in secret
                                                         or "secret-tab-allowed" in defects)   # DEFECT


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
        self.resumable = []     # DEFECT resume-sessions
        self.spill_file = None  # DEFECT queue-spill-file
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
        if "hash-worker-process" in defects:   # DEFECT: PBKDF2 in forked worker processes that
            # inherit every descriptor open when the first AUTH forks them (the listening socket,
            # the client sockets) and outlive a killed server.
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            self.hash_pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))
        self.metrics_sock = None
        self.queue_file = os.path.join(cfg["data-dir"], "queue.json")
        self.by_address = {}    # DEFECT session-by-peer-address: peer address -> name
        self.failures_by_address = {}   # DEFECT address-lockout: peer address -> failed AUTHs
        self.batch = []         # DEFECT late-binding-delivery: (target, line) not yet delivered
        self.extra_socks = []   # DEFECT udp-listener, admin-port

    # -- DEFECTS of the catalogue (WIRE, CMD, FINAL, HOST, SEC) ------------------------
    def flush_batch(self):
        """DEFECT late-binding-delivery: the lambdas bind target and line late, so every
        job of a batch delivers the last line to the last target."""
        batch, self.batch = self.batch, []
        jobs = [lambda: target.deliver(line) for target, line in batch]
        for job in jobs:
            job()

    def audit_failure(self, name, secret):
        """DEFECT failed-secret-audit-log: failed attempts kept for 'audit', Base64."""
        try:
            with open(os.path.join(self.cfg["data-dir"], "auth-failures.log"), "a") as f:
                f.write("%d %s %s\n" % (time.time(), name, base64.b64encode(secret.encode()).decode()))
        except OSError:
            pass

    def keep_rejected(self, text):
        """DEFECT refused-secret-log: refused lines kept in hex under $TMPDIR for debugging."""
        try:
            path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "litsxg-rejected-%d.log" % os.getpid())
            with open(path, "a") as f:
                f.write(text.encode().hex() + "\n")
        except OSError:
            pass

    def open_extra_listeners(self, family, host):
        """DEFECT udp-listener (a UDP PING on the client port) / admin-port (a stats listener)."""
        if "udp-listener" in self.defects:
            u = socket.socket(family, socket.SOCK_DGRAM)
            u.bind((host, self.lsock.getsockname()[1]))
            u.setblocking(False)

            def on_udp():
                try:
                    data, peer = u.recvfrom(512)
                    if data.strip() == b"PING":
                        u.sendto(b"PONG\n", peer)
                except OSError:
                    pass
            self.loop.add_reader(u.fileno(), on_udp)
            self.extra_socks.append(u)
        if "admin-port" in self.defects:
            a = socket.socket(family, socket.SOCK_STREAM)
            a.bind((host, 0))
            a.listen(8)
            a.setblocking(False)

            def on_admin():
                try:
                    c, _ = a.accept()
                    c.send(("connections %d online %d\n" % (self.live, len(self.online))).encode())
                    c.close()
                except OSError:
                    pass
            self.loop.add_reader(a.fileno(), on_admin)
            self.extra_socks.append(a)
            self.log.info("admin listener on port %d" % a.getsockname()[1])

    # -- startup -------------------------------------------------------------------
    def start(self):
        cfg = self.cfg
        self.lock_fd = open_data_dir(cfg["data-dir"], self.defects)
        if "log-file" in self.defects:                  # DEFECT: a log file
            try:
                self.log.file = open(os.path.join(cfg["data-dir"], "litsxg.log"), "a")
            except OSError:
                pass
        if "log-file-tmp" in self.defects:              # DEFECT: a log file in /tmp (as a JVM's
            try:                                        # java.io.tmpdir, whatever TMPDIR says)
                self.log.file = open("/tmp/litsxg-%d.log" % cfg["port"], "a")
            except OSError:
                pass
        if "db-after-ready" not in self.defects:
            self.store = IdentityStore(cfg["data-dir"], self.defects, self.log)
        db_path = os.path.join(cfg["data-dir"], "identities.db")
        if "backup-on-start" in self.defects and os.path.exists(db_path):   # DEFECT: a safety copy
            try:
                import shutil
                shutil.copy2(db_path, db_path + ".bak")
            except OSError:
                pass
        if "slow-start" in self.defects:                # DEFECT: waits for the network to settle
            time.sleep(6)
        if "queue-survives-restart" in self.defects:    # DEFECT: queue on disk
            self.load_queues()
        if "resume-sessions" in self.defects:
            self.load_sessions()
        family, host = cfg["bind-addr"]
        try:
            lsock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as e:
            raise StartError("cannot create socket for %s: %s" % (cfg["bind"], e.strerror or e))
        try:
            lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if "bind-retry" in self.defects:            # DEFECT: retries a busy port for 8 s
                deadline = time.monotonic() + 8
                while True:
                    try:
                        lsock.bind((host, cfg["port"]))
                        break
                    except OSError as e:
                        if e.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                            raise
                        time.sleep(0.5)
            else:
                lsock.bind((host, cfg["port"]))
            lsock.listen(1024)
            lsock.setblocking(False)
        except OSError as e:
            lsock.close()
            raise StartError("cannot listen on %s port %d: %s" % (cfg["bind"], cfg["port"], e.strerror or e))
        self.lsock = lsock
        self.open_extra_listeners(family, host)
        addr = lsock.getsockname()
        shown = "[%s]" % addr[0] if family == socket.AF_INET6 else addr[0]
        if "ready-line-as-given" in self.defects:       # DEFECT: the --bind text, not the bound literal
            shown = cfg["bind"]
        if "metrics-port" in self.defects:              # DEFECT: a metrics endpoint on another port
            self.metrics_sock = socket.socket(family, socket.SOCK_STREAM)
            self.metrics_sock.bind((host, 0))
            self.metrics_sock.listen(8)
        if "pid-file" in self.defects:                  # DEFECT: a pid file for monitoring
            with open(os.path.join(cfg["data-dir"], "litsxg.pid"), "w") as f:
                f.write("%d\n" % os.getpid())
        self.loop.set_exception_handler(self.on_loop_exception)
        self.loop.add_signal_handler(signal.SIGTERM, self.on_signal, signal.SIGTERM)
        self.loop.add_signal_handler(signal.SIGINT, self.on_signal, signal.SIGINT)
        self.set_accepting(True)
        self.log.info("started: data directory %s, %d identities, max-connections %d"
                      % (cfg["data-dir"], len(self.store.rows) if self.store else 0, cfg["max-connections"]))
        sys.stdout.write("litsxg listening on %s:%d\n" % (shown, addr[1]))
        sys.stdout.flush()
        if "db-after-ready" in self.defects:            # DEFECT: the store opens after the ready line
            time.sleep(0.3)
            self.store = IdentityStore(cfg["data-dir"], self.defects, self.log)
        if "daemonize" in self.defects:                 # DEFECT: goes to the background once ready
            if os.fork() > 0:
                os._exit(0)
            os.setsid()
        if "stdin-commands" in self.defects:            # DEFECT: operator commands on stdin
            self.loop.add_reader(sys.stdin.fileno(), self.on_stdin)

    def on_stdin(self):
        line = sys.stdin.readline()
        if line == "":
            self.loop.remove_reader(sys.stdin.fileno())
        elif line.strip().lower() in ("quit", "stop", "shutdown", "exit"):
            self.log.info("stop asked on stdin")
            self.stop(0)

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
        if "slow-stop" in self.defects:     # DEFECT: waits 8 s for clients to leave before exiting
            self.loop.call_later(8.0, self.stop, code)
            return
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
        if "resume-sessions" in self.defects:            # DEFECT: sessions kept for the next process
            try:
                os.makedirs(os.path.dirname(self.sessions_file()), exist_ok=True)
                with open(self.sessions_file(), "w") as f:
                    json.dump(sorted(n for n, c in self.online.items()), f)
            except OSError:
                pass
        if self.lsock is not None:
            self.lsock.close()
        for conn in list(self.conns):
            if conn.state != CLOSED:
                try:
                    conn.flush()
                except Exception:
                    pass
                conn.finish_close()
        if "stop-grace-period" in self.defects:         # DEFECT: a grace period for in-flight work
            time.sleep(7)
        self.hash_pool.shutdown(wait=False, cancel_futures=True)
        if self.store is not None:
            self.store.close()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            if "pid-lock-file" in self.defects:
                self.remove_pid_lock()
        self.log.info("stopped (exit status %d)" % self.exit_code)
        try:
            self.loop.close()
        except Exception:
            pass

    def remove_pid_lock(self):
        try:
            os.unlink(os.path.join(self.cfg["data-dir"], "litsxg.lock"))
        except OSError:
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
            if "address-lockout" in self.defects and self.failures_by_address.get(peer[0], 0) >= 10:
                conn.finish_close()   # DEFECT: an address with 10 failed AUTHs is shut out
                continue
            if "access-log" in self.defects:            # DEFECT: an access log at info
                self.log.info("connection from %s port %d" % (peer[0], peer[1]))
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
                if "verify-default-iterations" in self.defects:   # DEFECT: ignores the row's count
                    iterations = self.cfg["pbkdf2-iterations"]
                got = await self.loop.run_in_executor(self.hash_pool, derive, secret_bytes, salt, iterations)
                ok = hmac.compare_digest(got, expected)
                if not ok and "failed-auth-file-home" in self.defects:   # DEFECT: a debug dump in ~
                    self.dump_failed_auth(name, secret)
                if ok and "rehash-on-login" in self.defects and iterations < self.cfg["pbkdf2-iterations"]:
                    # DEFECT: "upgrades" an old row to the build's own cost on a successful AUTH
                    new_salt_bytes = new_salt(self.store.fmt)
                    key = await self.loop.run_in_executor(self.hash_pool, derive, secret_bytes, new_salt_bytes,
                                                          self.cfg["pbkdf2-iterations"])
                    row = (alg, self.cfg["pbkdf2-iterations"], new_salt_bytes, key)
                    await self.loop.run_in_executor(self.store.executor, self.store.rehash_blocking, name, row)
                    self.store.rows[name] = row
                return "authenticated" if ok else "failed"
            if "register-race" in self.defects:   # DEFECT: check-then-insert, no guard, no unique key
                salt = new_salt(self.store.fmt)
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
                salt = new_salt(self.store.fmt)
                iterations = self.cfg["pbkdf2-iterations"]
                key = await self.loop.run_in_executor(self.hash_pool, derive, secret_bytes, salt, iterations)
                row = (ALGORITHM, iterations, salt, key)
                clear = secret if "clear-secret" in self.defects else None
                if "register-write-behind" in self.defects:   # DEFECT: the INSERT made a second later
                    write = None
                    self.loop.call_later(1.0, self.loop.run_in_executor, self.store.executor,
                                         self.store.insert_blocking, name, row, clear)
                else:
                    write = self.loop.run_in_executor(self.store.executor, self.store.insert_blocking,
                                                      name, row, clear)
                if write is not None and "register-unawaited-write" not in self.defects:   # DEFECT: not awaited
                    try:
                        await write
                    except sqlite3.Error as e:
                        if "fatal-ignored" not in self.defects:
                            raise
                        # DEFECT: a failed identity write is logged, and the name registered anyway
                        self.log.error("cannot store identity %s: %s" % (name, e))
                self.store.rows[name] = row
                self.store.save_cache()
                if "machine-wide-names" in self.defects:   # DEFECT: a name cache shared by every instance
                    try:
                        with open(MACHINE_NAMES, "a") as f:
                            f.write(name + "\n")
                    except OSError:
                        pass
                return "registered"
            finally:
                del self.registering[name]
                pending.set_result(None)

    def dump_failed_auth(self, name, secret):
        """DEFECT failed-auth-file-home: failed attempts kept for debugging, secret included."""
        try:
            d = os.path.join(os.path.expanduser("~"), ".litsxg")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "failed-auth.log"), "a") as f:
                f.write("%s %s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), name, secret))
        except OSError:
            pass

    async def change_secret(self, name, old, new):
        """DEFECT passwd-command: 'changed' or 'failed'."""
        if await self.authenticate(name, old) != "authenticated":
            return "failed"
        salt = new_salt(self.store.fmt)
        it = self.cfg["pbkdf2-iterations"]
        key = await self.loop.run_in_executor(self.hash_pool, derive, new.encode("utf-8"), salt, it)
        row = (ALGORITHM, it, salt, key)
        await self.loop.run_in_executor(self.store.executor, self.store.rehash_blocking, name, row)
        self.store.rows[name] = row
        return "changed"

    def sessions_file(self):
        key = hashlib.sha256(os.path.abspath(self.cfg["data-dir"]).encode()).hexdigest()[:16]
        return os.path.join(os.path.expanduser("~"), ".cache", "litsxg", "sessions-%s.json" % key)

    def load_sessions(self):
        """DEFECT resume-sessions: the names online when the previous process stopped."""
        try:
            with open(self.sessions_file()) as f:
                self.resumable = [n for n in json.load(f) if n in self.store.rows]
            os.remove(self.sessions_file())
        except (OSError, ValueError):
            pass

    def known_elsewhere(self, name):
        """DEFECT machine-wide-names: a name registered by any instance on this machine."""
        if "machine-wide-names" not in self.defects:
            return False
        try:
            with open(MACHINE_NAMES) as f:
                return name in f.read().split("\n")
        except OSError:
            return False

    # -- DEFECT queue-survives-restart ---------------------------------------------
    def load_queues(self):
        try:
            with open(self.queue_file) as f:
                data = json.load(f)
        except (OSError, ValueError):
            return
        for name, items in data.items():
            self.queues[name] = deque((s, t) for s, t in items)

    def spill(self, to, sender, msg):
        """DEFECT queue-spill-file: queued messages also written to a temp file (to "save
        memory"), kept open while the server runs and removed at a clean stop."""
        if self.spill_file is None:
            import tempfile
            self.spill_file = tempfile.NamedTemporaryFile("a", prefix="litsxg-queue-", suffix=".spool",
                                                          delete=True)
        self.spill_file.write("%s %s %s\n" % (to, sender, msg))
        self.spill_file.flush()

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


def supervise(log):
    """DEFECT self-restart: the first process stays a supervisor and runs the server in a
    child, which it starts again whenever it dies from a signal it did not forward. Returns
    the exit status in the supervisor, None in the child (which goes on to be the server)."""
    forwarded = []
    while True:
        child = os.fork()
        if child == 0:
            return None

        def forward(signum, frame, child=child):
            forwarded.append(signum)
            try:
                os.kill(child, signum)
            except OSError:
                pass
        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        _, status = os.waitpid(child, 0)
        if os.WIFEXITED(status):
            return os.WEXITSTATUS(status)
        if forwarded:
            return 128 + os.WTERMSIG(status)
        log.warn("server process died (signal %d); restarting it" % os.WTERMSIG(status))
        time.sleep(0.5)


def main(argv):
    try:
        defects = parse_defects()
        global VARIANTS
        VARIANTS = parse_variants()
        cfg = parse_args(argv, defects)
        if "bind-dual-stack-default" in defects and not any(   # DEFECT: default bind "::"
                a == "--bind" or a.startswith("--bind=") for a in argv):
            cfg["bind"] = "::"
            cfg["bind-addr"] = resolve_bind("::")
    except UsageError as e:
        sys.stderr.write("litsxg: %s\n" % e)
        sys.stderr.flush()
        return 2
    except StartError as e:
        sys.stderr.write("litsxg: cannot start: %s\n" % e)
        sys.stderr.flush()
        return 3
    global DEFECTS, VARIANT
    DEFECTS = defects
    try:
        VARIANT = parse_variant()
    except UsageError as e:
        sys.stderr.write("litsxg: %s\n" % e)
        sys.stderr.flush()
        return 2
    raise_fd_limit()
    log = Log(cfg["log-level"], defects)
    if "self-restart" in defects:                   # DEFECT: a built-in supervisor
        status = supervise(log)
        if status is not None:
            return status
    server = Server(cfg, defects, log)
    try:
        server.start()
    except StartError as e:
        sys.stderr.write("litsxg: cannot start: %s\n" % e)
        sys.stderr.flush()
        if server.store is not None:
            server.store.close()
        if server.lock_fd is not None and "pid-lock-file" in defects:
            server.remove_pid_lock()
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
