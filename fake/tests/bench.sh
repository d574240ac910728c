#!/bin/sh
# bench.sh SERVER LOADGEN -- requests/second of solana-fake (getHealth and
# getBlockHeight, keep-alive).  Not part of the pass/fail suite.
set -e
server=${1:-fake/solana-fake}
loadgen=${2:-fake/build/loadgen}
mintload=${3:-fake/build/mintload}
dir=$(mktemp -d)
"$server" --listen 127.0.0.1:0 --port-file "$dir/port" --quiet --slot-ms 20 --threads "${FAKE_THREADS:-2}" &
pid=$!
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
port=$(cat "$dir/port")
"$loadgen" "$port" "${FAKE_CONNS:-32}" "${FAKE_SECONDS:-5}" getHealth
"$loadgen" "$port" "${FAKE_CONNS:-32}" "${FAKE_SECONDS:-5}" getBlockHeight
if [ -n "${FAKE_MINTS:-}" ]; then
  "$mintload" "$port" "$FAKE_MINTS"
  "$loadgen" "$port" "${FAKE_CONNS:-32}" 2 getHealth
fi
kill "$pid"
wait "$pid" || true
rm -rf "$dir"
