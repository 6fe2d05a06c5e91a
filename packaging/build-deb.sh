#!/usr/bin/env bash
# Builds the .deb of one architecture from an executable `make release` already built (nothing
# is compiled here). The package lays Stanzagate out as Debian expects:
#   /usr/bin/stanzagate                        the executable
#   /lib/systemd/system/stanzagate.service     packaging/stanzagate.service, run as the stanzagate user
#   /etc/stanzagate/routes.yaml                a conffile: the starter of `stanzagate init`, values from the env file
#   /usr/share/doc/stanzagate/copyright        the LICENSE
# and its maintainer scripts (packaging/deb/) make the stanzagate system user, /var/lib/stanzagate
# and /etc/stanzagate/stanzagate.env (a random component secret); a purge removes those again.
#   packaging/build-deb.sh amd64 dist/stanzagate-linux-x64 0.1.0 dist/routes.yaml dist/stanzagate_0.1.0_amd64.deb
set -euo pipefail
arch="$1" bin="$2" version="$3" routes="$4" out="$5"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(mktemp -d)"
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT

install -D -m 755 "$bin" "$root/usr/bin/stanzagate"
install -D -m 644 "$routes" "$root/etc/stanzagate/routes.yaml"
install -D -m 644 "$here/../LICENSE" "$root/usr/share/doc/stanzagate/copyright"
# The package's user exists before the service starts (postinst): a fixed user instead of
# DynamicUser, so that root's `stanzagate outbox list` and the service share one state directory.
install -d "$root/lib/systemd/system"
sed -e 's|/usr/local/bin/stanzagate|/usr/bin/stanzagate|g' \
    -e 's|^DynamicUser=yes$|User=stanzagate\nGroup=stanzagate|' \
    -e 's|^# A user made up at start; the state directory|# The package'"'"'s system user; the state directory|' \
    "$here/stanzagate.service" > "$root/lib/systemd/system/stanzagate.service"
chmod 644 "$root/lib/systemd/system/stanzagate.service"

install -d "$root/DEBIAN"
install -m 755 "$here/deb/postinst" "$here/deb/prerm" "$here/deb/postrm" "$root/DEBIAN/"
echo /etc/stanzagate/routes.yaml > "$root/DEBIAN/conffiles"
# libc6 2.17: the newest GLIBC_ symbol version the executables of Bun 1.4 reference (objdump -T).
# passwd: useradd, in postinst.
cat > "$root/DEBIAN/control" <<CONTROL
Package: stanzagate
Version: $version
Architecture: $arch
Maintainer: The Stanzagate authors <stanzagate@localhost>
Depends: libc6 (>= 2.17), passwd
Section: net
Priority: optional
Installed-Size: $(du -sk "$root" --exclude=DEBIAN | cut -f1)
Description: HTTP to XMPP gateway (XEP-0114 external component)
 Stanzagate serves the HTTP routes declared in /etc/stanzagate/routes.yaml and turns each
 request into XMPP stanzas (messages, presence, iq) sent through an XMPP server it is a
 component of. One self-contained executable; runs as a hardened systemd service.
CONTROL
# gzip: every dpkg reads it (zstd needs dpkg 1.21.18, xz takes many times longer to build); level 1
# builds in a third of level 6's time for 7 % more bytes (59 MB instead of 55), and make test builds it.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$root" "$out" >/dev/null
