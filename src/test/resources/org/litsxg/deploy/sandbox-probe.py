# Tries, in its own process, what deploy/litsxg.service forbids; prints one line per try:
# "<name> ok" when it was allowed, "<name> <errno name>" when it was refused. SandboxIT runs it
# inside deploy/litsxg-sandbox (everything refused but the controls) and outside (everything ok).
# Argument: a writable scratch directory (the sandbox's state directory).
import ctypes
import errno
import os
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)
scratch = sys.argv[1]


def attempt(name, action):
    try:
        result = action()
        if isinstance(result, int) and result < 0:
            raise OSError(ctypes.get_errno(), "")
        print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode.get(e.errno, str(e.errno)))
    sys.stdout.flush()


def write(path):
    with open(path, "w") as f:
        f.write("probe")
    os.unlink(path)


def sock(family):
    socket.socket(family, socket.SOCK_RAW if family != socket.AF_INET else socket.SOCK_STREAM).close()


def suid():
    path = os.path.join(scratch, "probe-suid")
    open(path, "w").close()
    try:
        os.chmod(path, 0o4755)
    finally:
        os.unlink(path)


def mount():
    target = os.path.join(scratch, "probe-mnt")
    os.mkdir(target)
    try:
        if libc.mount(b"tmpfs", target.encode(), b"tmpfs", 0, None) < 0:
            raise OSError(ctypes.get_errno(), "")
        libc.umount2(target.encode(), 0)
    finally:
        os.rmdir(target)


def fifo():
    param = (ctypes.c_int * 1)(1)
    if libc.sched_setscheduler(0, 1, param) < 0:  # SCHED_FIFO
        raise OSError(ctypes.get_errno(), "")
    libc.sched_setscheduler(0, 0, (ctypes.c_int * 1)(0))


def persona():
    current = libc.personality(0xFFFFFFFF)
    if libc.personality(current | 0x0040000) < 0:  # ADDR_NO_RANDOMIZE
        raise OSError(ctypes.get_errno(), "")
    libc.personality(current)


def hostname():
    name = socket.gethostname().encode()
    if libc.sethostname(name, len(name)) < 0:
        raise OSError(ctypes.get_errno(), "")


def nice():
    before = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, 0, before - 1)  # a higher priority: CAP_SYS_NICE
    os.setpriority(os.PRIO_PROCESS, 0, before)


def listdir(path):
    os.listdir(path)


def pid1_visible():
    if not os.path.exists("/proc/1/status"):
        raise OSError(errno.ENOENT, "")


def kmsg():
    if not os.path.exists("/dev/kmsg"):
        raise OSError(errno.ENOENT, "")


attempt("control-write-state-directory", lambda: write(os.path.join(scratch, "probe")))
attempt("control-inet-socket", lambda: sock(socket.AF_INET))
attempt("write-usr", lambda: write("/usr/litsxg-probe"))
attempt("write-etc", lambda: write("/etc/litsxg-probe"))
attempt("list-root-home", lambda: listdir("/root"))
attempt("dev-kmsg", kmsg)
attempt("proc-pid1", pid1_visible)
attempt("netlink-socket", lambda: sock(socket.AF_NETLINK))
attempt("packet-socket", lambda: sock(socket.AF_PACKET))
attempt("mount", mount)
attempt("sethostname", hostname)
attempt("chmod-suid", suid)
attempt("personality", persona)
attempt("sched-fifo", fifo)
attempt("raise-priority", nice)
attempt("setuid-root", lambda: os.setuid(0))
# Last: outside the sandbox it succeeds and leaves this process in a new user namespace.
attempt("unshare-user", lambda: libc.unshare(0x10000000))
