#!/usr/bin/env bash
# What idle live streams cost: starts `inbetween serve --workers 0` (SQLite) with a fresh key,
# creates one job (it stays queued: no workers), opens STREAMS (default 200) connections to
# GET /api/v1/job/stream for it from one Python process, lets them settle, then measures the
# server over WINDOW seconds (default 60, four heartbeats of 15 s): its RSS before the streams
# and with them (VmRSS), and the CPU it used (utime + stime from /proc) as a share of one core.
# The Python side checks every stream got its first event and counts the heartbeat comments.
# Prints one table.
#
#   scripts/reliability/streams.sh
#
# Environment: INBETWEEN_BIN (server binary, default .build/debug/inbetween), STREAMS, WINDOW.
set -euo pipefail

# shellcheck source=scripts/reliability/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STREAMS="${STREAMS:-200}"
WINDOW="${WINDOW:-60}"

rel_setup streams
rel_start_server --workers 0
JOB="$(curl -s "$BASE/api/v1/job/create" -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
    -d "{\"model\": \"vidu/vidu-q2/start-end-to-video\", \"args\": {\"prompt\": \"push in\", \"image\": \"https://example.com/a.png\", \"image_tail\": \"https://example.com/b.png\"}}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["job_id"])')"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }

sleep 2
RSS_BEFORE="$(rss_kib)"

python3 - "$SERVER_PORT" "$KEY" "$JOB" "$STREAMS" "$((WINDOW + 10))" >"$WORK/clients.log" 2>&1 <<'PY' &
import selectors, socket, sys, time
port, key, job, count, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
selector = selectors.DefaultSelector()
received = {}
for index in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET /api/v1/job/stream?id={job} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n".encode())
    s.setblocking(False)
    selector.register(s, selectors.EVENT_READ, index)
    received[index] = b""
end = time.time() + seconds
while time.time() < end:
    for selected, _ in selector.select(timeout=1):
        data = selected.fileobj.recv(65536)
        if not data:
            selector.unregister(selected.fileobj)
            continue
        received[selected.data] += data
started = sum(1 for body in received.values() if b"data: " in body and b" 200 " in body.split(b"\r\n", 1)[0])
heartbeats = sum(body.count(b": heartbeat") for body in received.values())
print(f"{started} {heartbeats}")
PY
CLIENTS=$!
REL_CHILD_PIDS+=("$CLIENTS")
sleep 5
RSS_OPEN="$(rss_kib)"
T0="$(cpu_ticks)"
sleep "$WINDOW"
T1="$(cpu_ticks)"
RSS_AFTER="$(rss_kib)"
wait "$CLIENTS" || true
read -r STARTED HEARTBEATS <"$WORK/clients.log" || { cat "$WORK/clients.log" >&2; exit 1; }
HZ="$(getconf CLK_TCK)"
python3 - "$STREAMS" "$STARTED" "$HEARTBEATS" "$WINDOW" "$RSS_BEFORE" "$RSS_OPEN" "$RSS_AFTER" "$T0" "$T1" "$HZ" <<'PY'
import sys
streams, started, heartbeats, window = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
before, opened, after, t0, t1, hz = (int(x) for x in sys.argv[5:11])
cpu = (t1 - t0) / hz / window * 100
print("| streams open | with a first event | heartbeats seen | RSS before | RSS with the streams (after 5 s / after the window) | added | CPU over the window |")
print("|---|---|---|---|---|---|---|")
print(f"| {streams} | {started} | {heartbeats} | {before / 1024:.1f} MiB | {opened / 1024:.1f} / {after / 1024:.1f} MiB | {(max(opened, after) - before) / 1024:.1f} MiB | {cpu:.2f} % of a core over {window:.0f} s |")
PY
