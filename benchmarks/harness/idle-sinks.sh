#!/usr/bin/env bash
# What a pps figure's sink costs while nothing reaches it (the 1-flow ClusterIP figure leaves two
# of its three sinks idle for the whole cell), side by side for one or more Isthmus checkouts:
#
#   benchmarks/harness/idle-sinks.sh [--sinks N] [--seconds S] [ISTHMUS_HOME...]
#
# For each checkout (default: this one) N `isthmus pktgen --rx --idle backoff` sinks (default 2),
# each in a namespace of its own with a veth and no traffic, all running at once; after 15 s of
# start-up, each sink's CPU (user + system, all threads: cores) and context switches a second over
# S seconds (default 8). Needs root and built checkouts (ISTHMUS_NO_BUILD=1 is used). Every
# namespace and veth it makes carries this run's tag and is removed on any exit; every process is
# bounded by `timeout`.
set -euo pipefail
SINKS=2 SECONDS_MEASURED=8 HOMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sinks) SINKS=$2; shift 2 ;;
    --seconds) SECONDS_MEASURED=$2; shift 2 ;;
    -*) sed -n '5p' "$0" | sed 's/^# *//' >&2; exit 2 ;;
    *) HOMES+=("$(cd "$1" && pwd)"); shift ;;
  esac
done
[ ${#HOMES[@]} -gt 0 ] || HOMES=("$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)")
[ "$(id -u)" -eq 0 ] || { echo "idle-sinks: needs root (namespaces, XDP, AF_XDP)" >&2; exit 1; }
TAG=$(printf '%04x' $((RANDOM % 65536)))
NSS=() PIDS=() LABELS=()
cleanup() {
  local p n
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
k=0
for home in "${HOMES[@]}"; do
  for _ in $(seq "$SINKS"); do
    k=$((k + 1))
    ns=isx-idle-$TAG-$k
    ip netns add "$ns"
    NSS+=("$ns")
    ip link add "isxi$TAG$k" type veth peer name eth0 netns "$ns" # the host end goes with the namespace
    ip -n "$ns" link set eth0 up
    ip link set "isxi$TAG$k" up
    ISTHMUS_NO_BUILD=1 timeout -k 5 $((SECONDS_MEASURED + 90)) "$home/isthmus" pktgen --rx --netns "$ns" --dst-port 9 \
      --duration $((SECONDS_MEASURED + 30)) --idle backoff >/dev/null 2>&1 &
    PIDS+=("$!")
    LABELS+=("$home ($(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo '?'))")
  done
done
sleep 15 # start-up: the JVMs compile their hot loops first
java_of() { pgrep -P "$1" | head -1; }
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }
declare -A T0 C0 J
for p in "${PIDS[@]}"; do
  J[$p]=$(java_of "$p")
  [ -n "${J[$p]}" ] || { echo "idle-sinks: a sink did not start" >&2; exit 1; }
  T0[$p]=$(ticks "${J[$p]}")
  C0[$p]=$(switches "${J[$p]}")
done
sleep "$SECONDS_MEASURED"
hz=$(getconf CLK_TCK)
echo "idle sinks, $SECONDS_MEASURED s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!PIDS[@]}"; do
  p=${PIDS[$i]}
  awk -v a="${T0[$p]}" -v b="$(ticks "${J[$p]}")" -v c="${C0[$p]}" -v d="$(switches "${J[$p]}")" -v s="$SECONDS_MEASURED" \
      -v hz="$hz" -v what="${LABELS[$i]}" \
      'BEGIN { printf "%s: %.3f cores, %d context switches a second\n", what, (b - a) / hz / s, (d - c) / s }'
done
