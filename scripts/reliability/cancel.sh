#!/usr/bin/env bash
# Issue 18's figures on one `serve` (SQLite, 1 worker, the motion engine, the cache off) from a
# client on loopback:
#   1. the create/cancel loop: ROUNDS (default 100) rounds of a 2 s 720p pro job carrying two
#      ~1.9 MB PNG data URIs (the sample photos), canceled 0.3 s after it starts running, then
#      waited for; every create must answer within 30 s (p50/p99/max reported);
#   2. the same 5 MB create with the worker idle (10 creates, each canceled at once);
#   3. a long job (8 s, 60 fps, at 720p and at 1080p) canceled 0.5 s into its render: how long
#      until the query shows 4, and until the worker has stopped it and runs the next job.
# Usage: INBETWEEN_BIN=.build/release/inbetween ROUNDS=100 scripts/reliability/cancel.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rel_setup cancel
rel_machine
for n in start end; do
    ffmpeg -nostdin -loglevel error -i "$REPO_ROOT/samples/$n.jpg" -vf scale=1300:-2 -y "$WORK/$n.png"
done
rel_start_server --engine motion --no-cache
python3 - "$BASE" "$KEY" "${ROUNDS:-100}" "$WORK/start.png" "$WORK/end.png" <<'PY'
import base64, json, sys, time, urllib.error, urllib.request
base, key, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
uris = ["data:image/png;base64," + base64.b64encode(open(f, "rb").read()).decode() for f in sys.argv[4:6]]

def body(**args):
    a = {"prompt": "The camera pushes in", "mode": "pro", "resolution": "720p", "duration": "2", "image": uris[0], "image_tail": uris[1]}
    a.update(args)
    return json.dumps({"model": "vidu/vidu-q2/start-end-to-video", "args": a}).encode()

def call(method, path, data=None, timeout=30):
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()), time.monotonic() - began
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), time.monotonic() - began
    except Exception as error:  # no answer in time
        return None, str(error), time.monotonic() - began

def status(job):
    return call("GET", "/api/v1/job/query?id=" + job)[1]["data"]["status"]

def wait(job, done, limit=120):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        s = status(job)
        if done(s):
            return s
        time.sleep(0.01)
    return status(job)

def figures(values):
    values = sorted(values)
    if not values:
        return "n=0"
    pick = lambda q: values[min(len(values) - 1, max(0, int(q * len(values) + 0.999999) - 1))]
    return "p50 %.0f ms, p99 %.0f ms, max %.0f ms (n=%d)" % (pick(0.5) * 1000, pick(0.99) * 1000, values[-1] * 1000, len(values))

big = body()
print("create/cancel loop: %d rounds, %.1f MB bodies" % (rounds, len(big) / 1e6), flush=True)
creates, to_four, unanswered, ended = [], [], 0, {}
for round in range(rounds):
    code, reply, seconds = call("POST", "/api/v1/job/create", big)
    creates.append(seconds)
    if code != 200:
        unanswered += 1
        print("round %d: create answered %s after %.1f s: %s" % (round, code, seconds, reply), flush=True)
        continue
    job = reply["data"]["job_id"]
    wait(job, lambda s: s >= 1)
    time.sleep(0.3)
    sent = time.monotonic()
    code, reply, _ = call("POST", "/api/v1/job/cancel?id=" + job)
    final = wait(job, lambda s: s >= 2)
    if code == 200:
        to_four.append(time.monotonic() - sent)
    ended[final] = ended.get(final, 0) + 1
print("create/cancel loop: creates %s; unanswered or failed: %d; final statuses %s; cancel -> 4 %s"
      % (figures(creates), unanswered, ended, figures(to_four)), flush=True)

time.sleep(2)
idle = []
for _ in range(10):
    code, reply, seconds = call("POST", "/api/v1/job/create", big)
    idle.append(seconds)
    if code == 200:
        call("POST", "/api/v1/job/cancel?id=" + reply["data"]["job_id"])
    time.sleep(1)
print("5 MB create, worker idle: %s" % figures(idle), flush=True)

small = body(mode="turbo", resolution="540p", duration="1")
for resolution in ("720p", "1080p"):
    for attempt in range(3):
        job = call("POST", "/api/v1/job/create", body(resolution=resolution, duration="8", fps=60))[1]["data"]["job_id"]
        wait(job, lambda s: s >= 1)
        time.sleep(0.5)
        nxt = call("POST", "/api/v1/job/create", small)[1]["data"]["job_id"]
        sent = time.monotonic()
        code, reply, _ = call("POST", "/api/v1/job/cancel?id=" + job)
        wait(job, lambda s: s >= 2)
        shown = time.monotonic() - sent
        wait(nxt, lambda s: s >= 1)
        stopped = time.monotonic() - sent
        print("%s 60 fps 8 s job canceled 0.5 s in: answered %d with status %s; query shows 4 after %.0f ms; the worker runs the next job after %.0f ms"
              % (resolution, code, reply["data"]["status"] if code == 200 else "-", shown * 1000, stopped * 1000), flush=True)
        wait(nxt, lambda s: s >= 2)
PY
