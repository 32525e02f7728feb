#!/usr/bin/env bash
# The CPU an idle and a lightly loaded `isthmus up` takes, per worker idle mode: two pods (their
# command only sleeps), 10 s without traffic, then a rate-limited `isthmus pktgen` from one pod to
# the other at each rate; prints the cores (CPU-seconds per second, /proc utime + stime) of the
# session JVM and of its worker thread, and the frames sent, forwarded and received.
#
#   sudo benchmarks/harness/up-idle-cpu.sh [--rates "1000 10000 50000"] [MODE ...]   # default: adaptive backoff busy-spin
#
# Session state under a new /tmp directory (never /run/isthmus/up); its machine-wide names are its
# own, so it runs beside another `isthmus up` session (IsthmusUpIT, the harness's isthmus-up mode):
# Ingress ports 18280/18643, host port isxi<tag>, pod CIDR 10.244.251.0/24, cluster DNS
# 10.96.251.10, the conntrack table
# derived from the state directory (`up` refuses a name taken anyway, naming it). Another session
# shares the CPUs, though: the script says so, and such figures are not for RESULTS.md.
set -euo pipefail
HOME_DIR=$(cd "$(dirname "$0")/../.." && pwd)
ISTHMUS="$HOME_DIR/isthmus"
rates="1000 10000 50000"
if [ "${1:-}" = --rates ]; then rates=$2; shift 2; fi
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(adaptive backoff busy-spin)
[ "$(id -u)" = 0 ] || { echo "up-idle-cpu: needs root (network namespaces, AF_XDP)" >&2; exit 1; }
if pgrep -f 'io.isthmus.cli.Main up .*--session' >/dev/null; then
  echo "up-idle-cpu: another isthmus up session runs on this machine: the figures share its CPUs" >&2
fi
"$ISTHMUS" help >/dev/null 2>&1 || true # builds on first use
work=$(mktemp -d /tmp/isthmus-up-idle.XXXXXX)
tag=$(basename "$work" | tr -dc 'a-z0-9' | tail -c 6)
ns=upidle$tag
export ISTHMUS_NO_BUILD=1 ISTHMUS_INGRESS_HTTP_PORT=18280 ISTHMUS_INGRESS_HTTPS_PORT=18643 \
  ISTHMUS_HOST_PORT=isxi$tag ISTHMUS_UP_POD_CIDR=10.244.251.0/24 ISTHMUS_UP_CLUSTER_DNS=10.96.251.10
mkdir -p "$work/yaml"
{
  printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n' "$ns"
  for pod in a b; do
    printf -- '---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s}\n' "$pod" "$ns"
    printf 'spec:\n  containers:\n  - {name: c, command: ["sleep", "3600"]}\n'
  done
} >"$work/yaml/pods.yaml"
state=
cleanup() { [ -z "$state" ] || ISTHMUS_UP_STATE=$state timeout -k 10 120 "$ISTHMUS" down >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "$1"; }
cores() { echo "scale=3; ($2 - $1) / $hz / $3" | bc; }
counter() { # metric pod -> value from `isthmus status`
  awk -v m="$1" -v p="pod=\"$ns/$2\"" '$1 ~ "^" m "\\{" && index($1, p) { print $2 }' "$work/status.txt"
}
echo "up-idle-cpu: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in "${modes[@]}"; do
  state=$work/state-$mode
  ISTHMUS_UP_STATE=$state timeout -k 10 300 "$ISTHMUS" up -f "$work/yaml" --detach --idle "$mode" >"$work/up-$mode.out" 2>&1 \
    || { echo "up-idle-cpu: isthmus up --idle $mode failed:" >&2; tail -20 "$work/up-$mode.out" >&2; exit 1; }
  pid=$(cat "$state/up.pid")
  task=$(grep -l '^isthmus-worker' /proc/"$pid"/task/*/comm | head -1 | xargs dirname)
  sleep 10 # past start-up and the first compilations
  p0=$(ticks /proc/"$pid"/stat); w0=$(ticks "$task/stat"); sleep 10; p1=$(ticks /proc/"$pid"/stat); w1=$(ticks "$task/stat")
  echo "$mode: idle: JVM $(cores "$p0" "$p1" 10) cores, worker $(cores "$w0" "$w1" 10) cores (load $(cut -d' ' -f1 /proc/loadavg))"
  dst=$(ip -n "isthmus-$ns-b" -4 -o addr show dev eth0 | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
  ip netns exec "isthmus-$ns-a" ping -c 2 -W 1 "$dst" >/dev/null 2>&1 || true
  for rate in $rates; do
    ISTHMUS_UP_STATE=$state "$ISTHMUS" status >"$work/status.txt" 2>&1 || true
    rx0=$(counter isthmus_port_rx_packets_total a); tx0=$(counter isthmus_port_tx_packets_total b)
    timeout -k 5 60 "$ISTHMUS" pktgen --rx --netns "isthmus-$ns-b" --duration 30 --idle backoff >"$work/rx.out" 2>"$work/rx.err" &
    sink=$!
    for _ in $(seq 1 100); do grep -q 'counting frames' "$work/rx.err" && break; sleep 0.3; done
    timeout -k 5 60 "$ISTHMUS" pktgen --netns "isthmus-$ns-a" --dst-ip "$dst" --size 64 --flows 1 --rate "$rate" --duration 12 \
      >"$work/tx.out" 2>"$work/tx.err" &
    gen=$!
    for _ in $(seq 1 100); do grep -q 'pktgen tx:' "$work/tx.err" && break; sleep 0.3; done
    w0=$(ticks "$task/stat"); sleep 8; w1=$(ticks "$task/stat")
    wait "$gen" || true
    sleep 1
    kill "$sink" 2>/dev/null || true; wait "$sink" 2>/dev/null || true
    ISTHMUS_UP_STATE=$state "$ISTHMUS" status >"$work/status.txt" 2>&1 || true
    rx1=$(counter isthmus_port_rx_packets_total a); tx1=$(counter isthmus_port_tx_packets_total b)
    sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$work/tx.out")
    got=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$work/rx.out")
    # the generator sends at most rate x elapsed and, since session 6, after a stall only 1 ms of the
    # rate at once (before, it caught up at full speed, and such a burst could overflow the worker's RX
    # ring); its busiest second shows whether it kept to the rate
    peak=$(sed -n 's/^pktgen tx: \([0-9,]*\) pps$/\1/p' "$work/tx.err" | tr -d , | sort -n | tail -1)
    echo "$mode: $rate pps offered: worker $(cores "$w0" "$w1" 8) cores; sent ${sent:-?}, worker received $((${rx1:-0} - ${rx0:-0})) and forwarded $((${tx1:-0} - ${tx0:-0})), sink counted ${got:-?}; generator's busiest second ${peak:-?} pps"
  done
  cleanup
  state=
done
rm -rf "$work"
