#!/usr/bin/env bash
# Installs shulian-node as a hardened systemd service on this host:
#   - a system user "shulian" (no shell, no home of its own),
#   - the binaries shulian-node and shulian into PREFIX/bin,
#   - the unit shulian-node@.service (network-configs/systemd/),
#   - /etc/shulian (root:shulian, 0750) for node configs and their key files.
# Each node then runs as shulian-node@NAME with /etc/shulian/NAME.json, writing only
# /var/lib/shulian/NAME (systemd creates it, mode 0700). docs/deployment.md.
#
#   scripts/install-node-service.sh [--bin-dir DIR] [--prefix DIR] [--root DIR]
#
# --bin-dir: where the built binaries are (default build/release/node).
# --root:    install into DIR as if it were / (stages the files; creates no user and
#            does not call systemctl) — for packaging and for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir=build/release/node
prefix=/usr/local
root=
while [ $# -gt 0 ]; do
  case "$1" in
    --bin-dir) bin_dir=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --root) root=$2; shift 2 ;;
    *) echo "usage: $0 [--bin-dir DIR] [--prefix DIR] [--root DIR]" >&2; exit 2 ;;
  esac
done

for binary in shulian-node shulian; do
  if [ ! -x "$bin_dir/$binary" ]; then
    echo "$bin_dir/$binary: not built (run scripts/run-local.sh or cmake --build first)" >&2
    exit 1
  fi
done

unit_src=network-configs/systemd/shulian-node@.service
unit_dir="$root/etc/systemd/system"
if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then
  echo "installing a service needs root (or --root DIR to stage the files)" >&2
  exit 1
fi

group=shulian
if [ -z "$root" ]; then
  if ! id shulian >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/shulian --no-create-home --shell /usr/sbin/nologin shulian
  fi
else
  group=$(id -gn)  # a staging root has no shulian group
fi

install -d -m 0755 "$root$prefix/bin" "$unit_dir"
install -m 0755 "$bin_dir/shulian-node" "$bin_dir/shulian" "$root$prefix/bin/"
sed "s|/usr/local/bin/|$prefix/bin/|g" "$unit_src" > "$unit_dir/shulian-node@.service"
chmod 0644 "$unit_dir/shulian-node@.service"
install -d -m 0750 -g "$group" "$root/etc/shulian"

if [ -z "$root" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi
cat <<TEXT
installed: $root$prefix/bin/shulian-node, $root$prefix/bin/shulian, $unit_dir/shulian-node@.service, $root/etc/shulian/
next, for a node NAME:
  1. put NAME.json in /etc/shulian with "data_dir": "/var/lib/shulian/NAME" and its key
     file beside it (owner shulian, mode 0600; shulian keygen writes 0600);
  2. shulian-node --check-config /etc/shulian/NAME.json
  3. systemctl enable --now shulian-node@NAME; journalctl -u shulian-node@NAME -f
TEXT
