# Shared helpers for scripts/reliability/*.sh (sourced, not run). Each script copies the server
# binary ($INBETWEEN_BIN, default .build/debug/inbetween relative to the repo root) into its own
# temp dir first, so a relink of .build/ during a run cannot touch the process under test; starts
# one `inbetween serve` on a free loopback port with a fresh data dir and key; and on exit stops
# it with SIGTERM (SIGKILL after 15 s) and removes the temp dir.
# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK=""
SERVER_PID=""
SERVER_PORT=""
BASE=""
KEY=""
REL_CHILD_PIDS=()   # load generators a script started in the background: stopped first

rel_cleanup() {
    local status=$?
    local pid
    for pid in "${REL_CHILD_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        if [ "$status" -ne 0 ] && [ -f "$WORK/server.log" ]; then
            echo "--- last 20 lines of the server log ---" >&2
            tail -n 20 "$WORK/server.log" >&2 || true
        fi
        rm -rf "$WORK"
    fi
    return "$status"
}

# rel_setup NAME: temp dir, binary copy, trap.
rel_setup() {
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/inbetween-rel-$1.XXXXXX")"
    trap rel_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    local bin="${INBETWEEN_BIN:-.build/debug/inbetween}"
    case "$bin" in /*) ;; *) bin="$REPO_ROOT/$bin" ;; esac
    if [ ! -x "$bin" ]; then
        echo "no server binary at $bin: build it (swift build) or set INBETWEEN_BIN" >&2
        exit 2
    fi
    cp "$bin" "$WORK/inbetween"
    BIN="$WORK/inbetween"
}

rel_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# rel_start_server [extra serve flags...]: creates a key (KEY), starts the server (SERVER_PID,
# BASE) with --workers 1 --engine dissolve --creates-per-minute 1000000 --reads-per-minute 1000000 unless overridden, and waits up
# to 120 s for GET /healthz to answer 200.
rel_start_server() {
    local data="$WORK/data"
    mkdir -p "$data"
    KEY="$("$BIN" keys create --name reliability --data-dir "$data" 2>"$WORK/keys.log" | head -n 1)"
    SERVER_PORT="$(rel_free_port)"
    BASE="http://127.0.0.1:$SERVER_PORT"
    "$BIN" serve --data-dir "$data" --port "$SERVER_PORT" --workers 1 --engine dissolve \
        --creates-per-minute 1000000 --reads-per-minute 1000000 --log-level warning "$@" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 1200); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "the server exited before answering /healthz" >&2
            exit 1
        fi
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true)" = "200" ] && return 0
        sleep 0.1
    done
    echo "the server did not answer /healthz within 120 s" >&2
    exit 1
}

# rel_proc_kib FIELD: VmRSS / VmHWM of the server in KiB.
rel_proc_kib() {
    awk -v f="$1:" '$1 == f { print $2 }' "/proc/$SERVER_PID/status"
}

rel_fds() {
    find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

rel_mib() {
    awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'
}

rel_machine() {
    echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
}

# rel_png FILE: a 64x36 PNG (a gradient), made with python3's zlib alone.
rel_png() {
    python3 - "$1" <<'PY'
import struct, sys, zlib
w, h = 64, 36
raw = b"".join(b"\x00" + b"".join(bytes((x * 4, y * 7, 128)) for x in range(w)) for y in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
}

# rel_create_body FILE: a valid, cheap create body (turbo, 540p, 1 s) with the PNG as both frames.
rel_create_body() {
    local png="$WORK/frame.png"
    rel_png "$png"
    python3 - "$png" "$1" <<'PY'
import base64, json, sys
uri = "data:image/png;base64," + base64.b64encode(open(sys.argv[1], "rb").read()).decode()
body = {"model": "vidu/vidu-q2/start-end-to-video",
        "args": {"prompt": "The camera pushes in slowly", "mode": "turbo", "resolution": "540p",
                 "duration": "1", "image": uri, "image_tail": uri}}
open(sys.argv[2], "w").write(json.dumps(body))
PY
}
