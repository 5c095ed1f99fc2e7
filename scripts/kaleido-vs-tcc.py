#!/usr/bin/env python3
"""Times gorc kaleido binaries against tcc -run in alternated rounds.

usage: scripts/kaleido-vs-tcc.py ROUNDS N[,N...] NAME=COMMAND...

Run from the repository's root. For each N it writes kgen's program of N
functions (go run ./kaleidoscope/cmd/kgen N, and -c N for the C twin) to a
temporary directory; COMMAND is split on spaces, with {k} replaced by the
Kaleidoscope file and {c} by the C file, e.g.

  scripts/kaleido-vs-tcc.py 15 500,2000,4000 \\
      "main=/tmp/gorc-main kaleido -no-cache {k}" \\
      "new=bin/gorc kaleido -no-cache {k}" "tcc=tcc -run {c}"

Each round runs every command once (in reverse order every other round);
a warm-up round is dropped. Prints a Markdown table row per N and
command: wall ms (fork to wait4), CPU ms (user + system) and minor page
faults, as median [min-max], and the load average before and after.
"""
import os, statistics, subprocess, sys, tempfile, time


def run(argv):
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execvp(argv[0], argv)
    _, st, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t) * 1e3
    if os.waitstatus_to_exitcode(st) != 0:
        print("failed:", " ".join(argv), file=sys.stderr)
    return wall, (ru.ru_utime + ru.ru_stime) * 1e3, ru.ru_minflt


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    ns = sys.argv[2].split(",")
    cmds = [a.split("=", 1) for a in sys.argv[3:]]
    tmp = tempfile.mkdtemp()
    print("load", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for n in ns:
        k, c = os.path.join(tmp, f"s{n}.k"), os.path.join(tmp, f"s{n}.c")
        for path, flag in ((k, []), (c, ["-c"])):
            with open(path, "w") as f:
                subprocess.run(["go", "run", "./kaleidoscope/cmd/kgen", *flag, n], stdout=f, check=True)
        res = {name: [] for name, _ in cmds}
        for r in range(rounds + 1):
            for name, cmd in cmds if r % 2 == 0 else cmds[::-1]:
                x = run(cmd.format(k=k, c=c).split())
                if r > 0:
                    res[name].append(x)
        for name, _ in cmds:
            xs = res[name]

            def f(i):
                v = [x[i] for x in xs]
                return f"{statistics.median(v):.1f} [{min(v):.1f}–{max(v):.1f}]"

            print(f"| {n} | {name} | {f(0)} | {f(1)} | {statistics.median([x[2] for x in xs]):,.0f} |")
    print("load", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
