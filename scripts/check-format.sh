#!/usr/bin/env bash
# Fails (exit 1) if any tracked C++ file differs from clang-format's output (.clang-format);
# `scripts/check-format.sh --fix` reformats them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h' 2>/dev/null || true)
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find src include tests bench fuzz -name '*.cpp' -o -name '*.hpp' | sort)
fi
format=clang-format
command -v clang-format-14 >/dev/null && format=clang-format-14
if [ "${1:-}" = "--fix" ]; then
  "$format" -i "${files[@]}"
  exit 0
fi
if ! "$format" --dry-run --Werror "${files[@]}" 2>/tmp/capsim-format.$$; then
  grep -E '^[^ ].*error:' /tmp/capsim-format.$$ | cut -d: -f1 | sort -u | sed 's/^/needs clang-format: /' >&2
  rm -f /tmp/capsim-format.$$
  echo "check-format.sh: run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/capsim-format.$$
echo "check-format.sh: ${#files[@]} files formatted"
