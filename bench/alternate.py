#!/usr/bin/env python3
"""bench/alternate.py: times commands in alternation (used by bench/executor.sh).

  alternate.py -rounds N [-runs K] [-truncate FILE] -o OUT.json NAME CMD [NAME CMD ...]
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


def reap(deadline_s=10.0):
    """Waits for orphans adopted as subreaper (a child executor whose
    controller exited first); gives up on any still running after
    deadline_s (they are then neither waited for nor counted)."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > end:
                return
            time.sleep(0.001)


def run_once(cmd, truncate):
    if truncate:
        open(truncate, "w").close()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status = os.waitpid(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    reap()
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
    rounds, runs, truncate, out = None, 1, None, None
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
        else:
            sys.exit(f"alternate.py: unknown flag {flag}")
    if rounds is None or rounds < 1 or runs < 1 or out is None or not argv or len(argv) % 2:
        sys.exit("usage: alternate.py -rounds N [-runs K] [-truncate FILE] -o OUT.json NAME CMD [NAME CMD ...]")
    cmds = [(argv[i], shlex.split(argv[i + 1])) for i in range(0, len(argv), 2)]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("alternate.py: cannot become a child subreaper: a child executor's CPU may be missed", file=sys.stderr)
    for _, cmd in cmds:  # warm-up
        run_once(cmd, truncate)
    res = {name: [] for name, _ in cmds}
    for r in range(rounds):
        k = r % len(cmds)
        for name, cmd in cmds[k:] + cmds[:k]:
            for _ in range(runs):
                x = run_once(cmd, truncate)
                x["round"] = r
                res[name].append(x)
    with open(out, "w") as f:
        json.dump(res, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
