#!/usr/bin/env bash
# Contract fuzzing of the job API with Schemathesis (4.x): starts `inbetween serve` (1 worker, the
# dissolve engine, rate limit out of the way) on a free loopback port with a fresh key, makes one
# real job so that generated ids, signed file URLs and images can sometimes be valid ones, then
# runs `schemathesis run <server>/openapi.json` over every operation with the checks
# not_a_server_error, status_code_conformance, content_type_conformance and
# response_schema_conformance. Prints Schemathesis' own report (each failure with a curl line to
# reproduce it), then one summary line: operations tested, test cases, requests sent, 5xx
# responses, failures, errors, and the server's peak RSS (VmHWM). Exits non-zero when
# Schemathesis reports any failure or error. About 1-2 minutes on 2 cores.
#
#   scripts/install-deps.sh                 # once: Schemathesis into the venv below
#   scripts/reliability/fuzz.sh
#
# Environment: INBETWEEN_BIN (server binary, default .build/debug/inbetween; copied first),
# FUZZ_MAX_EXAMPLES (test cases per operation and phase, default 50), FUZZ_SEED (replays a run),
# FUZZ_CHECKS (comma-separated Schemathesis checks, default the four above; `all` for every one),
# INBETWEEN_VENV (default ${XDG_CACHE_HOME:-$HOME/.cache}/inbetween-venv), FUZZ_REPORT_DIR (keep
# Schemathesis' JSON and NDJSON reports there; by default they go with the temp dir).
set -euo pipefail

# shellcheck source=scripts/reliability/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="${INBETWEEN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/inbetween-venv}"
ST="$VENV/bin/schemathesis"
if [ ! -x "$ST" ]; then
    echo "no Schemathesis at $ST: run scripts/install-deps.sh" >&2
    exit 2
fi
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-50}"
CHECKS="${FUZZ_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance}"

rel_setup fuzz
rel_start_server --workers 1
echo "server $BASE (pid $SERVER_PID), $("$ST" --version)"

# One real job, made to the end, so the fuzzer has a live id and a signed file URL to draw on.
# The config below offers them, and the job's image, to the generated requests half of the time;
# short 540p durations most of the time, because a valid create sent with `Prefer: wait=N`
# waits for its render and long renders are what would stretch the run.
rel_create_body "$WORK/body.json"
job_id="$(curl -sf "$BASE/api/v1/job/create" -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
    --data-binary @"$WORK/body.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["job_id"])')"
for _ in $(seq 1 600); do
    curl -sf "$BASE/api/v1/job/query?id=$job_id" -H "Authorization: Bearer $KEY" >"$WORK/job.json"
    python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["data"]["status"] >= 2 else 1)' "$WORK/job.json" && break
    sleep 0.2
done
python3 - "$WORK/job.json" "$WORK/body.json" >"$WORK/schemathesis.toml" <<'PY'
import json, sys
from urllib.parse import parse_qs, urlparse
job = json.load(open(sys.argv[1]))["data"]
if job["status"] != 2:
    sys.exit(f"the seed job did not succeed: {json.dumps(job)}")
image = json.load(open(sys.argv[2]))["args"]["image"]
url = urlparse(job["result"]["videos"][0]["url"])
query = parse_qs(url.query)
q = lambda s: json.dumps(s)
print(f"""[dictionaries.job_ids]
values = [{q(job["job_id"])}]
[dictionaries.images]
values = [{q(image)}]
[dictionaries.expires]
values = [{int(query["expires"][0])}]
[dictionaries.signatures]
values = [{q(query["signature"][0])}]
[dictionaries.durations]
values = ["1", "2"]
[dictionaries.resolutions]
values = ["540p"]

[parameters]
"query.id" = {{ dictionary = "job_ids", probability = 0.5 }}
"path.job_id" = {{ dictionary = "job_ids", probability = 0.5 }}
"query.expires" = {{ dictionary = "expires", probability = 0.5 }}
"query.signature" = {{ dictionary = "signatures", probability = 0.5 }}
"body.args.image" = {{ dictionary = "images", probability = 0.5 }}
"body.args.image_tail" = {{ dictionary = "images", probability = 0.5 }}
"body.args.duration" = {{ dictionary = "durations", probability = 0.8 }}
"body.args.resolution" = {{ dictionary = "resolutions", probability = 0.8 }}
""")
PY

report_dir="${FUZZ_REPORT_DIR:-$WORK/report}"
mkdir -p "$report_dir"
report_dir="$(cd "$report_dir" && pwd)"
seed_flag=()
[ -n "${FUZZ_SEED:-}" ] && seed_flag=(--seed "$FUZZ_SEED")
started=$SECONDS
set +e
# --workers 1: with 2 workers, Schemathesis' threads hit CPython 3.11.7's "AST constructor
# recursion depth mismatch" inside Hypothesis (a tool runtime error, not a server failure).
(cd "$WORK" && "$ST" --config-file "$WORK/schemathesis.toml" run "$BASE/openapi.json" \
    -H "Authorization: Bearer $KEY" \
    --checks "$CHECKS" \
    --max-examples "$MAX_EXAMPLES" --workers 1 --request-timeout 70 --no-color \
    --generation-database none "${seed_flag[@]}" \
    --report json,ndjson --report-json-path "$report_dir/report.json" \
    --report-ndjson-path "$report_dir/events.ndjson")
st_status=$?
set -e
elapsed=$((SECONDS - started))

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server died during the fuzz run" >&2
    SERVER_PID=""
    exit 1
fi
hwm="$(rel_proc_kib VmHWM)"
health="$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true)"

python3 - "$report_dir/report.json" "$report_dir/events.ndjson" "$elapsed" "$(rel_mib "$hwm")" "$health" <<'PY'
import json, sys
report_path, events_path, elapsed, hwm, health = sys.argv[1:]
try:
    report = json.load(open(report_path))
except (OSError, ValueError):
    report = {}
requests = server_errors = 0
try:
    for line in open(events_path):
        event = json.loads(line).get("ScenarioFinished")
        if not event:
            continue
        for interaction in (event.get("recorder", {}).get("interactions") or {}).values():
            requests += 1
            response = interaction.get("response") or {}
            if (response.get("status_code") or 0) >= 500:
                server_errors += 1
except OSError:
    pass
ops = report.get("operations", {})
cases = report.get("test_cases", {})
errors = sum(e.get("count", 1) for e in report.get("errors", []))
print(f"fuzz summary: {ops.get('tested', '?')}/{ops.get('total', '?')} operations tested, "
      f"{cases.get('generated', '?')} test cases, {requests} requests sent, {server_errors} 5xx, "
      f"{cases.get('unique_failures', '?')} unique failures ({cases.get('with_failures', '?')} failing cases), "
      f"{errors} errors, seed {report.get('seed', '?')}, {elapsed} s; "
      f"server peak RSS (VmHWM) {hwm}, /healthz after: {health}")
PY
if [ "$health" != "200" ]; then
    echo "the server no longer answers /healthz with 200" >&2
    exit 1
fi
exit "$st_status"
