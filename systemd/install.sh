#!/bin/sh
# Installs ferrobgp as a systemd service: the binary, the unit files, the
# sysusers.d and tmpfiles.d entries, the example drop-ins and (when none
# exists yet) an example configuration.
#
#   systemd/install.sh [--binary PATH] [--no-activate]
#
# Environment (all optional):
#   DESTDIR     staging root, e.g. a temp dir for packaging or tests
#               (default: none, install into the live system)
#   PREFIX      installation prefix (default /usr/local)
#   SYSCONFDIR  configuration root (default /etc)
#   UNITDIR     systemd units (default $PREFIX/lib/systemd/system)
#   SYSUSERSDIR sysusers.d    (default $PREFIX/lib/sysusers.d)
#   TMPFILESDIR tmpfiles.d    (default $PREFIX/lib/tmpfiles.d)
#   DOCDIR      examples      (default $PREFIX/share/doc/ferrobgp)
#
# Without DESTDIR, as root on a systemd machine, it also creates the
# service user (systemd-sysusers), the runtime directory (systemd-tmpfiles)
# and reloads systemd, unless --no-activate is given. It never enables or
# starts anything and never overwrites an existing configuration.
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(CDPATH= cd -- "$here/.." && pwd)

binary="$root/target/release/ferrobgp"
activate=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) [ $# -ge 2 ] || { echo "install.sh: --binary needs a path" >&2; exit 2; }
                  binary=$2; shift 2 ;;
        --no-activate) activate=no; shift ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
SYSUSERSDIR=${SYSUSERSDIR:-$PREFIX/lib/sysusers.d}
TMPFILESDIR=${TMPFILESDIR:-$PREFIX/lib/tmpfiles.d}
DOCDIR=${DOCDIR:-$PREFIX/share/doc/ferrobgp}

for dir in "$PREFIX" "$SYSCONFDIR" "$UNITDIR" "$SYSUSERSDIR" "$TMPFILESDIR" "$DOCDIR"; do
    case "$dir" in
        /*) ;;
        *) echo "install.sh: $dir: directories must be absolute (DESTDIR is prepended)" >&2; exit 2 ;;
    esac
done

if [ ! -x "$binary" ]; then
    echo "install.sh: $binary: no such executable; build it first (cargo build --release) or pass --binary PATH" >&2
    exit 1
fi

confdir="$SYSCONFDIR/ferrobgp"
bindir="$PREFIX/bin"

say() { printf '  %s\n' "$1"; }

echo "Installing ferrobgp into ${DESTDIR:-/} (prefix $PREFIX)"

install -d -m 0755 "$DESTDIR$bindir" "$DESTDIR$UNITDIR" "$DESTDIR$SYSUSERSDIR" \
    "$DESTDIR$TMPFILESDIR" "$DESTDIR$DOCDIR/examples"
install -m 0755 "$binary" "$DESTDIR$bindir/ferrobgp"
say "$bindir/ferrobgp"

# The unit names the binary and the configuration by their installed paths.
sed -e "s|/usr/bin/ferrobgp|$bindir/ferrobgp|g" \
    -e "s|/etc/ferrobgp/|$confdir/|g" \
    "$here/ferrobgp.service" > "$DESTDIR$UNITDIR/ferrobgp.service"
chmod 0644 "$DESTDIR$UNITDIR/ferrobgp.service"
say "$UNITDIR/ferrobgp.service"
install -m 0644 "$here/ferrobgp.socket" "$DESTDIR$UNITDIR/ferrobgp.socket"
say "$UNITDIR/ferrobgp.socket"
install -m 0644 "$here/ferrobgp.sysusers" "$DESTDIR$SYSUSERSDIR/ferrobgp.conf"
say "$SYSUSERSDIR/ferrobgp.conf"
install -m 0644 "$here/ferrobgp.tmpfiles" "$DESTDIR$TMPFILESDIR/ferrobgp.conf"
say "$TMPFILESDIR/ferrobgp.conf"
for example in "$here"/examples/*; do
    install -m 0644 "$example" "$DESTDIR$DOCDIR/examples/"
    say "$DOCDIR/examples/$(basename "$example")"
done

# Configuration: root writes it, the service user reads it.
install -d -m 0750 "$DESTDIR$confdir"
if [ -e "$DESTDIR$confdir/ferrobgp.conf" ]; then
    say "$confdir/ferrobgp.conf exists: left as it is"
else
    install -m 0640 "$here/examples/ferrobgp.conf" "$DESTDIR$confdir/ferrobgp.conf"
    say "$confdir/ferrobgp.conf (example: edit it)"
fi

live=no
if [ -z "$DESTDIR" ] && [ "$(id -u)" -eq 0 ]; then
    live=yes
fi

if [ "$live" = yes ] && [ "$activate" = yes ]; then
    if command -v systemd-sysusers >/dev/null 2>&1; then
        systemd-sysusers "$SYSUSERSDIR/ferrobgp.conf"
    elif ! id ferrobgp >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin ferrobgp
    fi
    say "service user: $(id ferrobgp)"
    if command -v systemd-tmpfiles >/dev/null 2>&1; then
        systemd-tmpfiles --create "$TMPFILESDIR/ferrobgp.conf"
    fi
    chgrp ferrobgp "$confdir" "$confdir/ferrobgp.conf" 2>/dev/null || true
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        say "systemd reloaded"
    fi
fi

cat <<EOF
Done. Next:
  ferrobgp validate $confdir/ferrobgp.conf
  systemctl enable --now ferrobgp.service
  systemctl enable --now ferrobgp.socket     # only to accept sessions on port 179
EOF
