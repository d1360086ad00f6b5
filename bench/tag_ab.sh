#!/usr/bin/env bash
# A/B pairs (not part of CI): collect, then browser collect, on a fresh SQLite server of each of
# two binaries in turn, three rounds; prints req/s and the server CPU per request (from
# /proc/PID/stat). Usage: BENCH_BASE_BIN=old BENCH_NEW_BIN=new [D=8] bench/tag_ab.sh
set -euo pipefail
export BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
D=${D:-8}
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
for round in 1 2 3; do
  for which in base new; do
    bin=$BENCH_BASE_BIN; [ $which = new ] && bin=$BENCH_NEW_BIN
    dir=$(mktemp -d /tmp/thrad-ab.XXXX)
    key=$($bin keys create --db $dir/t.db --partner bench --label b --json | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
    $bin tags add --db $dir/t.db --partner bench --tag bench-tag --origins https://shop.example >/dev/null
    port=$((19000 + RANDOM % 500))
    $bin serve --db $dir/t.db --listen 127.0.0.1:$port > $dir/s.log 2>&1 & pid=$!
    sleep 1
    for t in collect tag_collect; do
      path=/v1/api/collect; [ $t = tag_collect ] && path=/v1/t/collect
      c0=$(cpu $pid)
      out=$(BENCH_KEY=$key BENCH_TAG=bench-tag BENCH_ORIGIN=https://shop.example BENCH_RUN=ab$RANDOM$round wrk -t2 -c64 -d${D}s -s $BENCH_DIR/$t.lua http://127.0.0.1:$port$path | grep BENCH)
      c1=$(cpu $pid)
      req=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out"); us=$(sed -n 's/.*duration_us=\([0-9]*\).*/\1/p' <<<"$out")
      echo "$round $which $t rps=$(awk -v r=$req -v d=$us 'BEGIN{printf "%.0f", r/(d/1e6)}') srv_us=$(awk -v c=$((c1-c0)) -v r=$req 'BEGIN{printf "%.1f", c*10000/r}')"
    done
    kill $pid; wait $pid 2>/dev/null || true; rm -rf $dir
  done
done
