# A fake BGP "daemon" for the runner's end-to-end tests. The runner appends
# the configuration path; the configuration is a plan, one step a line:
#   send HEX        write these bytes
#   expect HEX      read one message, exit 3 unless it is exactly HEX
#   recv            read one message (logged to stderr)
#   on-usr1 HEX     on SIGUSR1, write HEX
#   reconnect       close the connection and open a new one
#   sleep S         pause
#   exit N          exit with status N
# After the plan it reads until the peer closes the connection, then exits 0.
import os
import signal
import socket
import sys
import time

port = int(os.environ["exabgp_tcp_port"])
plan = [l.strip() for l in open(sys.argv[-1]) if l.strip() and not l.startswith("#")]
sock = socket.create_connection(("127.0.0.1", port))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def read_exactly(n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_msg():
    head = read_exactly(19)
    if head is None:
        return None
    body = read_exactly(int.from_bytes(head[16:18], "big") - 19)
    return None if body is None else head + body


if os.environ.get("FAKE_PID_FILE"):
    with open(os.environ["FAKE_PID_FILE"], "w") as f:
        f.write(str(os.getpid()))
log("env", os.environ.get("exabgp_tcp_bind") == "", os.environ.get("exabgp_version"))
for step in plan:
    cmd, _, arg = step.partition(" ")
    if cmd == "send":
        sock.sendall(bytes.fromhex(arg))
    elif cmd in ("expect", "recv"):
        msg = read_msg()
        got = msg.hex().upper() if msg is not None else "EOF"
        log("got", got)
        if cmd == "expect" and got != arg.upper():
            log("MISMATCH, wanted", arg.upper())
            sys.exit(3)
    elif cmd == "on-usr1":
        data = bytes.fromhex(arg)
        signal.signal(signal.SIGUSR1, lambda *_: sock.sendall(data))
    elif cmd == "reconnect":
        sock.close()
        sock = socket.create_connection(("127.0.0.1", port))
    elif cmd == "sleep":
        time.sleep(float(arg))
    elif cmd == "exit":
        sys.exit(int(arg))
while True:
    try:
        msg = read_msg()
    except InterruptedError:
        continue
    if msg is None:
        break
log("peer closed")
