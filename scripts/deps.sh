#!/usr/bin/env bash
# Installs the Debian packages gorc's tests and benchmarks use, if missing.
# Safe to run repeatedly: it only calls apt-get when something is absent.
set -euo pipefail
pkgs=(${GORC_EXTRA_PKGS:-} gcc g++ make libsqlite3-dev liblua5.4-dev zlib1g-dev llvm-19 clang-19 binutils hyperfine gdb linux-perf bsdutils)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null; then SUDO=sudo; else
		echo "deps: missing packages ${missing[*]} and not root; install them and rerun" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
