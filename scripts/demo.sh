#!/usr/bin/env bash
# The README's demo: shows what gorc can do today.
set -euo pipefail
./bin/gorc version
# JIT-link a small C driver against Debian's static SQLite library and run it
# in-process: the output is what the natively linked program prints.
W=$(mktemp -d /tmp/gorc-demo.XXXXXX)
trap 'rm -rf "$W"' EXIT
gcc -O2 -c bench/drivers/sqlite.c -o "$W/sqlite.o"
echo "\$ gorc run -show-times sqlite.o /usr/lib/x86_64-linux-gnu/libsqlite3.a -lm -- 20000"
./bin/gorc run -show-times "$W/sqlite.o" /usr/lib/x86_64-linux-gnu/libsqlite3.a -lm -- 20000
