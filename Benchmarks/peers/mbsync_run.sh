#!/usr/bin/env bash
# mbsync (isync): pull one folder into a fresh local maildir.
set -euo pipefail
exec mbsync -q -c "$1" -a
