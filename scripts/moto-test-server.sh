#!/usr/bin/env bash
# Sourced by scripts/test.sh: starts moto's S3 server (PyPI `moto[server]`, in the tools venv
# that scripts/install-deps.sh makes) on a free loopback port, exports
# INBETWEEN_TEST_S3_ENDPOINT for the tests (path-style addressing, any keys), and stops it when
# the calling shell exits (after the PostgreSQL cluster's own clean-up, if that was started first).
moto_venv="${INBETWEEN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/inbetween-venv}"
if [ ! -x "$moto_venv/bin/moto_server" ]; then
    echo "moto_server not found in $moto_venv (run scripts/install-deps.sh)" >&2
    exit 1
fi
moto_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_log=$(mktemp /tmp/inbetween-moto.XXXXXX.log)
"$moto_venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$moto_log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$moto_port/moto-api/" && break
    sleep 0.1
done
if ! curl -s -o /dev/null "http://127.0.0.1:$moto_port/moto-api/"; then
    echo "moto did not start on port $moto_port:" >&2
    cat "$moto_log" >&2
    exit 1
fi
stop_test_moto() {
    kill "$moto_pid" 2>/dev/null || true
    rm -f "$moto_log"
}
# Keep whatever EXIT trap an earlier script set (the PostgreSQL cluster's) and run ours too.
moto_previous_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT$//")
trap "stop_test_moto; ${moto_previous_trap:-true}" EXIT
export INBETWEEN_TEST_S3_ENDPOINT="http://127.0.0.1:$moto_port"
echo "moto S3 server for the tests: $INBETWEEN_TEST_S3_ENDPOINT"
