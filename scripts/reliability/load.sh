#!/usr/bin/env bash
# Loopback load on the job API with `hey`: starts `inbetween serve` (1 worker, the dissolve engine,
# rate limit out of the way) on a free port, then drives two endpoints at fixed open rates for
# DURATION seconds each and prints a markdown table of the latency percentiles (from hey's
# latency distribution, successful requests only), the share of requests that errored or got a
# non-2xx status, and the rate actually held (responses / wall time):
#   - GET  /api/v1/job/query?id=<a finished job>
#   - POST /api/v1/job/create with a small valid body (turbo, 540p, 1 s, a 64x36 PNG as both
#     frames as data URIs); every request queues a real job, which the one worker renders while
#     the run goes on, as it would in production.
# The query runs go first, so that they are not measured next to the backlog the creates leave.
# The machine (CPUs, model) is printed first: client, server and worker share its cores.
#
#   scripts/install-deps.sh                 # once: hey (Debian package)
#   DURATION=30 RATES="50 100 200 400" scripts/reliability/load.sh
#
# Environment: INBETWEEN_BIN (server binary, default .build/debug/inbetween; copied first),
# DURATION (seconds per rate, default 30), RATES (total requests/s, default "50 100 200 400";
# hey's -q is per worker, so each rate runs as ceil(rate/10) workers at rate/workers each).
set -euo pipefail

# shellcheck source=scripts/reliability/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v hey >/dev/null 2>&1 || { echo "hey is missing: run scripts/install-deps.sh" >&2; exit 2; }
DURATION="${DURATION:-30}"
RATES="${RATES:-50 100 200 400}"

rel_setup load
rel_start_server --workers 1
rel_machine
echo "server: $BASE (pid $SERVER_PID), --workers 1 --engine dissolve; hey ${DURATION}s per rate"

rel_create_body "$WORK/body.json"
job_id="$(curl -sf "$BASE/api/v1/job/create" -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
    --data-binary @"$WORK/body.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["job_id"])')"
for _ in $(seq 1 600); do
    status="$(curl -sf "$BASE/api/v1/job/query?id=$job_id" -H "Authorization: Bearer $KEY" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["status"])')"
    [ "$status" -ge 2 ] && break
    sleep 0.2
done
echo "query target: $job_id (status $status)"

# run_hey NAME RATE hey-args...: writes $WORK/hey-NAME-RATE.txt
run_hey() {
    local name="$1" rate="$2"
    shift 2
    local c=$(((rate + 9) / 10))
    local q
    q="$(awk -v r="$rate" -v c="$c" 'BEGIN { printf "%g", r / c }')"
    hey -z "${DURATION}s" -c "$c" -q "$q" -t 20 -H "Authorization: Bearer $KEY" "$@" >"$WORK/hey-$name-$rate.txt" 2>&1 || true
    sleep 2
}

for rate in $RATES; do
    run_hey query "$rate" "$BASE/api/v1/job/query?id=$job_id"
done
for rate in $RATES; do
    run_hey create "$rate" -m POST -T application/json -D "$WORK/body.json" "$BASE/api/v1/job/create"
done

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server died under load" >&2
    SERVER_PID=""
    exit 1
fi
queued="$(curl -s "$BASE/metrics" | awk '/^inbetween_queue_depth/ { printf "%d", $2; exit }' || true)"

python3 - "$WORK" "$RATES" <<'PY'
import re, sys
work, rates = sys.argv[1], sys.argv[2].split()
print()
print("| endpoint | target rate | held rate | p50 | p95 | p99 | errors |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, label in (("create", "POST /api/v1/job/create"), ("query", "GET /api/v1/job/query")):
    for rate in rates:
        text = open(f"{work}/hey-{name}-{rate}.txt").read()
        total_secs = re.search(r"Total:\s+([\d.]+) secs", text)
        pct = {int(p): float(s) * 1000 for p, s in re.findall(r"^\s+(\d+)% in ([\d.]+) secs", text, re.M)}
        codes = {int(c): int(n) for c, n in re.findall(r"^\s+\[(\d{3})\]\s+(\d+) responses", text, re.M)}
        error_block = text.split("Error distribution:", 1)[1] if "Error distribution:" in text else ""
        transport_errors = sum(int(n) for n in re.findall(r"^\s+\[(\d+)\]\s", error_block, re.M))
        answered = sum(codes.values())
        total = answered + transport_errors
        bad = transport_errors + sum(n for c, n in codes.items() if not 200 <= c < 300)
        held = total / float(total_secs.group(1)) if total_secs and total else 0.0
        ms = lambda p: f"{pct[p]:.1f} ms" if p in pct else "-"
        detail = ", ".join(f"{n}x{c}" for c, n in sorted(codes.items()) if not 200 <= c < 300)
        if transport_errors:
            detail = ", ".join(filter(None, [detail, f"{transport_errors} transport"]))
        errors = f"{bad}/{total} ({100 * bad / total:.2f}%)" if total else "no requests"
        if detail:
            errors += f" [{detail}]"
        print(f"| {label} | {rate}/s | {held:.1f}/s | {ms(50)} | {ms(95)} | {ms(99)} | {errors} |")
PY
echo
echo "jobs still queued at the end (the creates' backlog): ${queued:-?}"
