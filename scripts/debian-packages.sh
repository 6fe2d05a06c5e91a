#!/usr/bin/env bash
# Installs those of the named Debian packages that are missing, with a single `apt-get update`
# (as root, or through sudo). The servers the tests and the demo start themselves (Prosody,
# ejabberd, mosquitto, PostgreSQL, and the nginx and Caddy of the reverse-proxy test) get their system service stopped
# and disabled, so it never holds their ports.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
echo "installing ${missing[*]} (Debian packages)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
for service in prosody ejabberd mosquitto postgresql nginx caddy; do
  case " ${missing[*]} " in
    *" $service "* | *" $service-light "*) $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || $SUDO service "$service" stop >/dev/null 2>&1 || true ;;
  esac
done
