#!/usr/bin/env python3
"""bench/alternate.py: times commands in alternation (used by bench/executor.sh).

  alternate.py -rounds N [-runs K] [-truncate FILE] [-timeout S] [-linger S]
               -o OUT.json NAME CMD [NAME CMD ...]
  alternate.py -median OUT.json NAME

The first form runs each CMD (split like a shell word list, no shell) once
untimed (a warm-up), then N rounds; each round runs every command K times,
in an order rotated by one command per round, so that a slow stretch of the
machine (other jobs) falls on every command alike and no command always
runs first or after the same one. For each run OUT.json gets the wall time,
the CPU time (user + system, ms) and page faults (minor + major) and context
switches (voluntary, involuntary) of every process the run started (this
process is a child subreaper: a child executor that outlives the command is
waited for and counted), the round and the exit status. -truncate empties
FILE before each run (the TCP executor's output).

Every run is bounded: a command still running after -timeout seconds
(default 600) is killed with everything it started (its own session and
process group) and recorded with status 124, as timeout(1) does; a
command that cannot be started is recorded with status 127, as a shell
does. A process the command left behind is waited for up to -linger
seconds (default 10), then killed (its process group, and any orphan
adopted as subreaper) so that nothing outlives the run; the run records
how many were killed ("killed_left").

The second form prints the median wall time in ms over NAME's successful
runs, or "fail" when it has none.
"""
import ctypes
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def adopted():
    """The pids of this process's children (commands still running, and
    orphans adopted as subreaper), from /proc."""
    me, kids = os.getpid(), []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        fields = st[st.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == me:
            kids.append(int(d))
    return kids


def reap(deadline_s):
    """Waits for orphans adopted as subreaper (a child executor whose
    controller exited first) up to deadline_s; then kills what is left
    and waits for it. Returns how many processes it killed."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            if time.monotonic() > end:
                break
            time.sleep(0.001)
    # Every process left is a child (adopted: the command has exited) or
    # a descendant of one, adopted in turn once its parent is killed.
    # (Not killpg: the command's group id may be another's by now.)
    killed = 0
    for _ in range(1000):
        left = adopted()
        if not left:
            break
        for pid in left:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        time.sleep(0.005)
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            killed += 1
    return killed


def run_once(cmd, truncate, timeout_s=600.0, linger_s=10.0):
    if truncate:
        open(truncate, "w").close()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    try:
        # A session of its own: everything it starts can be killed at once.
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as e:
        print("alternate.py: %s: %s" % (cmd[0], e), file=sys.stderr)
        return {"wall_ms": 0.0, "cpu_ms": 0.0, "user_ms": 0.0, "sys_ms": 0.0, "faults": 0,
                "vcs": 0, "ivcs": 0, "status": 127, "killed_left": 0}
    end = time.monotonic() + timeout_s
    status = None
    while status is None:
        pid, st = os.waitpid(p.pid, os.WNOHANG)
        if pid == p.pid:
            status = os.waitstatus_to_exitcode(st)
        elif time.monotonic() > end:
            try:
                os.killpg(p.pid, 9)
            except OSError:
                pass
            os.waitpid(p.pid, 0)
            status = 124
            print("alternate.py: %s: killed after %gs" % (" ".join(cmd), timeout_s), file=sys.stderr)
        else:
            time.sleep(0.0005)
    wall = (time.perf_counter() - t) * 1000
    p.returncode = status
    killed = reap(linger_s)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user = (after.ru_utime - before.ru_utime) * 1000
    sys_ = (after.ru_stime - before.ru_stime) * 1000
    return {
        "wall_ms": wall,
        "cpu_ms": user + sys_,
        "user_ms": user,
        "sys_ms": sys_,
        "faults": (after.ru_minflt - before.ru_minflt) + (after.ru_majflt - before.ru_majflt),
        "vcs": after.ru_nvcsw - before.ru_nvcsw,
        "ivcs": after.ru_nivcsw - before.ru_nivcsw,
        "status": p.returncode,
        "killed_left": killed,
    }


def median(path, name):
    try:
        runs = json.load(open(path)).get(name, [])
    except (OSError, ValueError):
        return "fail"  # nothing was timed (every mode failed its check)
    t = [r["wall_ms"] for r in runs if r["status"] == 0]
    return "%.1f" % statistics.median(t) if t else "fail"


def main(argv):
    if len(argv) == 3 and argv[0] == "-median":
        print(median(argv[1], argv[2]))
        return 0
    rounds, runs, truncate, out, timeout_s, linger_s = None, 1, None, None, 600.0, 10.0
    while argv and argv[0].startswith("-"):
        if len(argv) < 2:
            sys.exit(f"alternate.py: {argv[0]} needs a value")
        flag, val, argv = argv[0], argv[1], argv[2:]
        if flag == "-rounds":
            rounds = int(val)
        elif flag == "-runs":
            runs = int(val)
        elif flag == "-truncate":
            truncate = val
        elif flag == "-o":
            out = val
        elif flag == "-timeout":
            timeout_s = float(val)
        elif flag == "-linger":
            linger_s = float(val)
        else:
            sys.exit(f"alternate.py: unknown flag {flag}")
    if rounds is None or rounds < 1 or runs < 1 or out is None or not argv or len(argv) % 2:
        sys.exit("usage: alternate.py -rounds N [-runs K] [-truncate FILE] [-timeout S] [-linger S] -o OUT.json NAME CMD [NAME CMD ...]")
    cmds = [(argv[i], shlex.split(argv[i + 1])) for i in range(0, len(argv), 2)]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("alternate.py: cannot become a child subreaper: a child executor's CPU may be missed", file=sys.stderr)
    for _, cmd in cmds:  # warm-up
        run_once(cmd, truncate, timeout_s, linger_s)
    res = {name: [] for name, _ in cmds}
    for r in range(rounds):
        k = r % len(cmds)
        for name, cmd in cmds[k:] + cmds[:k]:
            for _ in range(runs):
                x = run_once(cmd, truncate, timeout_s, linger_s)
                x["round"] = r
                res[name].append(x)
    with open(out, "w") as f:
        json.dump(res, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
