#!/usr/bin/env bash
# msmtp: one process (and one connection) per message, as msmtp is used.
set -euo pipefail
rc=$1 msg=$2 n=$3
for _ in $(seq "$n"); do msmtp -C "$rc" customer@example.test < "$msg"; done
