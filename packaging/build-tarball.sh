#!/usr/bin/env bash
# A .tar.gz of one architecture, for machines without dpkg: the executable `make release` built,
# the systemd unit, the example routes.yaml and the LICENSE, in one directory named like the archive.
#   packaging/build-tarball.sh dist/stanzagate-linux-x64 dist/routes.yaml dist/stanzagate-0.1.0-linux-x64.tar.gz
set -euo pipefail
bin="$1" routes="$2" out="$3"
here="$(cd "$(dirname "$0")" && pwd)"
name="$(basename "$out" .tar.gz)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
install -D -m 755 "$bin" "$stage/$name/stanzagate"
install -m 644 "$here/stanzagate.service" "$routes" "$here/../LICENSE" "$stage/$name/"
# gzip -1, as the .deb (packaging/build-deb.sh says why).
tar -C "$stage" --owner=0 --group=0 --numeric-owner -I 'gzip -1' -cf "$out" "$name"
