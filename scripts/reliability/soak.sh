#!/usr/bin/env bash
# Soak test: SOAK_SECONDS of steady mixed load on one `inbetween serve` (1 worker, the dissolve
# engine, rate limit out of the way) on a free loopback port, watching for leaks. The load is hey
# on GET /api/v1/job/query at QUERY_RATE requests/s plus one POST /api/v1/job/create (a small
# valid job: turbo, 540p, 1 s, a 64x36 PNG as both frames) every CREATE_INTERVAL seconds, which
# the worker renders as they come. Every 10 s it samples the server's resident memory (VmRSS in
# /proc/PID/status), its open file descriptors (/proc/PID/fd) and, from /metrics, the queued and
# succeeded jobs. Prints a table of the samples (every 10 s up to 2 minutes of soak, every minute
# beyond) and a summary line: RSS start/max/end, fds start/max/end, requests sent and errors
# (non-2xx or transport) for each load, and whether /healthz still answers 200 at the end.
# Exits non-zero if the server died or /healthz fails at the end.
#
#   scripts/install-deps.sh                 # once: hey (Debian package)
#   SOAK_SECONDS=600 scripts/reliability/soak.sh
#
# Environment: INBETWEEN_BIN (server binary, default .build/debug/inbetween; copied first),
# SOAK_SECONDS (default 600), QUERY_RATE (default 20), CREATE_INTERVAL (default 1).
set -euo pipefail

# shellcheck source=scripts/reliability/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v hey >/dev/null 2>&1 || { echo "hey is missing: run scripts/install-deps.sh" >&2; exit 2; }
SOAK_SECONDS="${SOAK_SECONDS:-600}"
QUERY_RATE="${QUERY_RATE:-20}"
CREATE_INTERVAL="${CREATE_INTERVAL:-1}"
INTERVAL=10

rel_setup soak
rel_start_server --workers 1
rel_machine
echo "server: $BASE (pid $SERVER_PID); soak ${SOAK_SECONDS}s: query at ${QUERY_RATE}/s, a create every ${CREATE_INTERVAL}s"

rel_create_body "$WORK/body.json"
create() {
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 "$BASE/api/v1/job/create" \
        -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" --data-binary @"$WORK/body.json" || echo 000
}
job_id="$(curl -sf "$BASE/api/v1/job/create" -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
    --data-binary @"$WORK/body.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["job_id"])')"

# sample T: one line "t rss_kib fds queued succeeded health" into $WORK/samples.txt
sample() {
    local rss fds metrics queued succeeded health
    rss="$(rel_proc_kib VmRSS)"
    fds="$(rel_fds)"
    metrics="$(curl -s --max-time 10 "$BASE/metrics" || true)"
    queued="$(awk '/^inbetween_queue_depth/ { printf "%d", $2; exit }' <<<"$metrics")"
    succeeded="$(awk '/^inbetween_jobs\{.*status="succeeded"/ { printf "%d", $2; exit }' <<<"$metrics")"
    health="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/healthz" || true)"
    echo "$1 $rss $fds ${queued:--} ${succeeded:--} $health" >>"$WORK/samples.txt"
}

sample 0
c=$(((QUERY_RATE + 9) / 10))
q="$(awk -v r="$QUERY_RATE" -v c="$c" 'BEGIN { printf "%g", r / c }')"
hey -z "${SOAK_SECONDS}s" -c "$c" -q "$q" -t 20 -H "Authorization: Bearer $KEY" \
    "$BASE/api/v1/job/query?id=$job_id" >"$WORK/hey.txt" 2>&1 &
hey_pid=$!
REL_CHILD_PIDS+=("$hey_pid")
(
    end=$((SECONDS + SOAK_SECONDS))
    while [ "$SECONDS" -lt "$end" ]; do
        create >>"$WORK/creates.txt"
        sleep "$CREATE_INTERVAL"
    done
) &
creates_pid=$!
REL_CHILD_PIDS+=("$creates_pid")

start=$SECONDS
died=""
for ((t = INTERVAL; t <= SOAK_SECONDS; t += INTERVAL)); do
    while [ $((SECONDS - start)) -lt "$t" ]; do sleep 0.5; done
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        died="at about ${t}s"
        break
    fi
    sample "$t"
done
wait "$hey_pid" || true
wait "$creates_pid" || true
REL_CHILD_PIDS=()

if [ -n "$died" ]; then
    echo "the server died during the soak ($died)" >&2
    SERVER_PID=""
    exit 1
fi
final_health="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/healthz" || true)"

python3 - "$WORK" "$SOAK_SECONDS" "$final_health" <<'PY'
import re, sys
work, soak, health = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [line.split() for line in open(f"{work}/samples.txt")]
every = 10 if soak <= 120 else 60
mib = lambda kib: f"{int(kib) / 1024:.1f} MiB"
print()
print("| t (s) | RSS | fds | jobs queued | jobs succeeded | /healthz |")
print("|---:|---:|---:|---:|---:|---:|")
for i, (t, rss, fds, queued, succeeded, h) in enumerate(rows):
    if int(t) % every == 0 or i == len(rows) - 1:
        print(f"| {t} | {mib(rss)} | {fds} | {queued} | {succeeded} | {h} |")
rss = [int(r[1]) for r in rows]
fds = [int(r[2]) for r in rows]

text = open(f"{work}/hey.txt").read()
codes = {int(c): int(n) for c, n in re.findall(r"^\s+\[(\d{3})\]\s+(\d+) responses", text, re.M)}
block = text.split("Error distribution:", 1)[1] if "Error distribution:" in text else ""
transport = sum(int(n) for n in re.findall(r"^\s+\[(\d+)\]\s", block, re.M))
q_total = sum(codes.values()) + transport
q_bad = transport + sum(n for c, n in codes.items() if not 200 <= c < 300)
pct = {int(p): float(s) * 1000 for p, s in re.findall(r"^\s+(\d+)% in ([\d.]+) secs", text, re.M)}
try:
    creates = [line.strip() for line in open(f"{work}/creates.txt") if line.strip()]
except OSError:
    creates = []
c_bad = sum(1 for s in creates if not s.startswith("2"))
p = lambda k: f"{pct[k]:.1f}" if k in pct else "-"
print()
print(f"soak summary: {soak}s; RSS start/max/end {mib(rss[0])} / {mib(max(rss))} / {mib(rss[-1])}; "
      f"fds start/max/end {fds[0]} / {max(fds)} / {fds[-1]}; "
      f"query: {q_total} requests, {q_bad} errors, p50/p99 {p(50)}/{p(99)} ms; "
      f"create: {len(creates)} requests, {c_bad} errors; /healthz at the end: {health}")
PY
if [ "$final_health" != "200" ]; then
    echo "/healthz answered $final_health at the end" >&2
    exit 1
fi
