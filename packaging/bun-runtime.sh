#!/usr/bin/env bash
# Fetches the Bun runtime of another platform for `bun build --compile --target=...`, from the npm
# registry (the same place `npm ci` took Bun itself from), at the exact version and integrity
# package-lock.json pins. Bun would otherwise download it on its own into ~/.bun/install/cache;
# going through npm keeps the registry, proxy and CA settings of `npm config`, checks the
# lockfile's integrity, and keeps the file in a cache directory `make distclean` removes.
#   packaging/bun-runtime.sh bun-linux-aarch64 .cache/bun-runtimes   -> prints the runtime's path
set -euo pipefail
pkg="@oven/$1"
cache="$2"
read -r version integrity < <(node -e '
  const lock = require("./package-lock.json").packages["node_modules/" + process.argv[1]];
  if (!lock) { console.error(process.argv[1] + " is not in package-lock.json"); process.exit(1); }
  console.log(lock.version, lock.integrity);' "$pkg")
dir="$cache/$1-$version"
if [ ! -x "$dir/bin/bun" ]; then
  mkdir -p "$dir"
  got=$(npm pack --silent --json --pack-destination "$dir" "$pkg@$version" \
    | node -e 'const [p] = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(p.filename, p.integrity)')
  read -r file got_integrity <<<"$got"
  if [ "$got_integrity" != "$integrity" ]; then
    echo "$pkg@$version: integrity $got_integrity does not match package-lock.json ($integrity)" >&2
    exit 1
  fi
  tar -xzmf "$dir/$file" -C "$dir" --strip-components=1 package/bin/bun
  rm "$dir/$file"
fi
echo "$dir/bin/bun"
