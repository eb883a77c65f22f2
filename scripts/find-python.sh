#!/usr/bin/env bash
# Print a Python 3.12 interpreter: the one on PATH, else pyenv's, else Debian's.
set -euo pipefail
for candidate in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
    command -v "$candidate"; exit 0
  fi
done
echo "需要 Python 3.12（.python-version）：未找到 python3.12" >&2
exit 1
