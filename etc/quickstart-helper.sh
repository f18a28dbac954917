#!/bin/sh
# Helper of etc/quickstart.conf (ExaBGP's text API on stdin/stdout).
#   announce: announce three routes, then wait for the daemon to stop;
#   print:    print the UPDATEs the other speaker receives, as JSON.
case "$1" in
announce)
	echo "announce route 192.0.2.0/24 next-hop 127.0.0.1 community [ 65001:1 ]"
	echo "announce route 198.51.100.0/24 next-hop 127.0.0.1 med 10"
	echo "announce route 203.0.113.0/24 next-hop 127.0.0.1 as-path [ 64500 ]"
	while read -r line; do
		case "$line" in
		shutdown*) exit 0 ;;
		*up*|*down*|*connected*) echo "announcer: $line" >&2 ;;
		esac
	done
	;;
print)
	while read -r line; do
		case "$line" in
		*'"type": "update"'*) echo "printer received: $line" >&2 ;;
		*'"type": "state"'*) echo "printer: $line" >&2 ;;
		*shutdown*) exit 0 ;;
		esac
	done
	;;
*)
	echo "usage: $0 announce|print" >&2
	exit 2
	;;
esac
