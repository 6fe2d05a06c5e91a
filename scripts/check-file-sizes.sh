#!/usr/bin/env bash
# Refuses a tracked file over 1 MB: build outputs and data sets belong outside the repository
# (a 107 MB Bun build temp file once made up 49.8 of the repository's 50 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
limit=$((1024 * 1024))
big=$(git ls-files -z | xargs -0 stat -c '%s %n' 2>/dev/null | awk -v l="$limit" '$1 > l')
if [[ -n "$big" ]]; then
  echo "tracked files over 1 MB (untrack them and add them to .gitignore):" >&2
  echo "$big" >&2
  exit 1
fi
