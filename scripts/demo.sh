#!/usr/bin/env bash
# The README's demo: shows what gorc can do today.
set -euo pipefail
./bin/gorc version
