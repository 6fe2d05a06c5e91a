#!/usr/bin/env bash
# `bun build --compile` with its temporary files outside the working tree.
#   scripts/compile.sh OUT ENTRY [bun build flags...]     e.g. dist/stanzagate src/main.ts --compile ...
#
# Bun (1.4) writes the executable first as .<hash>-00000000.bun-build in the *current directory*,
# whatever TMPDIR says, and renames it over --outfile at the end. Run from the tree, a build killed
# part-way (SIGTERM or SIGKILL: a CI job cancelled, a machine out of memory; only SIGINT is cleaned
# up) left tens of MB there, and one such file was once committed (issue 19). So bun runs in a
# scratch directory under TMPDIR, writes the executable there, and only the finished file is moved
# into place. The scratch directory is removed on exit and on SIGHUP, SIGINT and SIGTERM (after
# SIGKILL, nothing can run: it stays, in TMPDIR, outside the tree).
set -euo pipefail
out="$1"
entry="$2"
shift 2
root="$PWD"
bun=$(realpath "${BUN:-node_modules/.bin/bun}")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/stanzagate-build.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# Bash runs no EXIT trap when a signal kills it: turn the usual ones into an exit.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# The same file name: Bun embeds the outfile's base name in the executable (/$bunfs/root/NAME).
name=$(basename "$out")
(cd "$scratch" && "$bun" build "$root/$entry" "$@" --outfile "$scratch/$name")
mv -f "$scratch/$name" "$out"
