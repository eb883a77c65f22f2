#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster: initdb with checksums in a private
# directory, a private socket and port, started as a non-root user, removed at the end.
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
PGUSER_OS=postgres
id "$PGUSER_OS" >/dev/null 2>&1 || { echo "缺少 postgres 系统用户（请安装 postgresql-15）" >&2; exit 1; }
DIR=$(mktemp -d /tmp/renkou-pg.XXXXXX)
PORT=${RENKOU_PG_PORT:-$((55000 + RANDOM % 1000))}
chown "$PGUSER_OS" "$DIR"; chmod 700 "$DIR"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$PGUSER_OS" -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
as_pg "$BIN/initdb" -D "$DIR/data" -U renkou -A trust -E UTF8 --locale=C.UTF-8 -k >/dev/null
as_pg "$BIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/log" \
  -o "-k $DIR -p $PORT -c listen_addresses='' -c fsync=on -c max_connections=60" start >/dev/null
as_pg "$BIN/createdb" -h "$DIR" -p "$PORT" -U renkou renkou
export DATABASE_URL="postgres://renkou@/renkou?host=$DIR&port=$PORT"
echo "PostgreSQL 15 临时实例: $DIR 端口 $PORT"
"$@"
