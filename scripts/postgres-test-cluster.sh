#!/usr/bin/env bash
# Sourced by scripts/test.sh: starts a throw-away PostgreSQL cluster (Debian's `postgresql`)
# in a temp dir on a free loopback port, exports INBETWEEN_TEST_DATABASE_URL for the tests,
# and stops it and removes it when the calling shell exits. Durability settings are relaxed
# (fsync off): the tests check logic, not the disk.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pg_bin" ]; then
    echo "PostgreSQL server binaries not found (Debian: apt-get install postgresql)" >&2
    exit 1
fi
pg_dir=$(mktemp -d /tmp/inbetween-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres() {
    # initdb refuses to run as root; Debian's package makes the `postgres` user.
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U inbetween --auth=trust -E UTF8 >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" start >/dev/null
stop_test_postgres() {
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap stop_test_postgres EXIT
export INBETWEEN_TEST_DATABASE_URL="postgres://inbetween@127.0.0.1:$pg_port/postgres"
export INBETWEEN_TEST_POSTGRES_BIN="$pg_bin"
export INBETWEEN_TEST_POSTGRES_DATA="$pg_dir/data"
echo "PostgreSQL for the tests: $INBETWEEN_TEST_DATABASE_URL"
