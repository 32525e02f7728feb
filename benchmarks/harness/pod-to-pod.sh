#!/usr/bin/env bash
# Pod-to-pod packets per second through each dataplane, side by side in one run, with the same
# generator (isthmus pktgen on AF_XDP in pod A) and the same sink (isthmus pktgen --rx in pod B).
#
#   benchmarks/harness/pod-to-pod.sh [--duration S] [--size BYTES] [--flows N] [--modes kernel,isthmus]
#                                    [--fastpath-idle backoff|busy-spin]
#
# Modes:
#   kernel   the Linux kernel routes the pods: /32 routes to each host veth, forwarding on
#            (Calico's model; pods reach the gateway 169.254.1.1 through a permanent neighbour)
#   isthmus  ./isthmus fastpath switches the host veths over AF_XDP
# Prints a Markdown table (rate at the sink, ratio to the kernel, CPU time by kind) on stdout;
# progress on stderr. Needs root. Every namespace, veth, XDP attachment, process and sysctl it
# touches is put back on any exit.
set -euo pipefail
HOME_DIR=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
ISTHMUS="$HOME_DIR/isthmus"
duration=10 size=64 flows=1 modes=kernel,isthmus fastpath_idle=backoff
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --flows) flows=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --fastpath-idle) fastpath_idle=$2; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--size BYTES] [--flows N] [--modes kernel,isthmus] [--fastpath-idle backoff|busy-spin]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "pod-to-pod: needs root (namespaces, XDP, AF_XDP)" >&2; exit 1; }

tag=$(printf '%04x' $((RANDOM % 65536)))
NS_A=isx-bench-a-$tag NS_B=isx-bench-b-$tag
HOST_A=isxba$tag HOST_B=isxbb$tag
IP_A=10.244.250.2 IP_B=10.244.250.3
pids=()
forward_before=$(sysctl -n net.ipv4.ip_forward)
work=$(mktemp -d)

log() { echo "pod-to-pod: $*" >&2; }

cleanup() {
  # SIGTERM, not SIGINT: a non-interactive shell starts background jobs with SIGINT ignored
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  pids=()
  if [ -s "$work/fastpath.out" ]; then # the fast path's final counters, drops by reason included
    grep -E '^(final|drop reasons|kernel)' "$work/fastpath.out" | sed 's/^/pod-to-pod: isthmus /' >&2 || true
    : >"$work/fastpath.out"
  fi
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  ip link del "$HOST_A" 2>/dev/null || true
  ip link del "$HOST_B" 2>/dev/null || true
  sysctl -qw net.ipv4.ip_forward="$forward_before" >/dev/null || true
}
trap 'cleanup; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

make_pod() { # ns host-if ip
  ip netns add "$1"
  ip link add "$2" type veth peer name eth0 netns "$1"
  ip link set "$2" up
  ip -n "$1" link set lo up
  ip -n "$1" link set eth0 up
  ip netns exec "$1" ethtool -K eth0 tx off tso off gso off sg off >/dev/null
  ip -n "$1" addr add "$3/32" dev eth0
  ip -n "$1" route add 169.254.1.1 dev eth0 scope link
  ip -n "$1" route add default via 169.254.1.1 dev eth0
  ip -n "$1" neigh replace 169.254.1.1 lladdr "$(cat /sys/class/net/$2/address)" dev eth0 nud permanent
}

topology() {
  make_pod "$NS_A" "$HOST_A" "$IP_A"
  make_pod "$NS_B" "$HOST_B" "$IP_B"
}

setup_kernel() {
  sysctl -qw net.ipv4.ip_forward=1
  ip route add "$IP_A/32" dev "$HOST_A"
  ip route add "$IP_B/32" dev "$HOST_B"
  # the host answers for the pods towards each other's veth: neighbours of the pods on the host side
  ip neigh replace "$IP_A" lladdr "$(ip netns exec "$NS_A" cat /sys/class/net/eth0/address)" dev "$HOST_A" nud permanent
  ip neigh replace "$IP_B" lladdr "$(ip netns exec "$NS_B" cat /sys/class/net/eth0/address)" dev "$HOST_B" nud permanent
}

setup_isthmus() {
  ISTHMUS_NO_BUILD=1 "$ISTHMUS" fastpath --idle "$fastpath_idle" --port "$HOST_A=$IP_A" --port "$HOST_B=$IP_B" >"$work/fastpath.out" 2>&1 &
  pids+=($!)
  dataplane_pid=$!
  for _ in $(seq 100); do
    ip -o link show "$HOST_B" | grep -q ' xdp' && ip -o link show "$HOST_A" | grep -q ' xdp' && return 0
    sleep 0.1
  done
  log "isthmus fastpath did not attach within 10 s:"; cat "$work/fastpath.out" >&2; return 1
}

cpu_ticks() { # user nice system idle iowait irq softirq from /proc/stat
  awk '/^cpu /{print $2, $3, $4, $5, $6, $7, $8}' /proc/stat
}

run_mode() { # mode -> writes "rate user% sys% softirq%" to $work/result.MODE (runs in this shell, so cleanup sees its processes)
  local mode=$1 dataplane_pid=""
  topology
  "setup_$mode"
  # Warm the path both ways before the generator and the sink take the pods' interfaces: a
  # dataplane learns each pod's MAC from its traffic, and once the sink's XDP program owns pod B's
  # eth0, pod B's kernel can no longer answer an ARP request. Same step for every mode.
  if ! ip netns exec "$NS_A" ping -c 2 -W 1 "$IP_B" >/dev/null || ! ip netns exec "$NS_B" ping -c 2 -W 1 "$IP_A" >/dev/null; then
    log "$mode: the pods cannot reach each other before the run"
  fi
  ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen --rx --netns "$NS_B" --duration $((duration + 6)) --idle backoff >"$work/rx.out" 2>"$work/rx.err" &
  local sink=$!; pids+=($sink)
  sleep 3
  local before; before=$(cpu_ticks)
  ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen --netns "$NS_A" --dst-ip "$IP_B" --size "$size" --flows "$flows" \
    --duration "$duration" >"$work/tx.out" 2>"$work/tx.err"
  local after; after=$(cpu_ticks)
  wait "$sink" || true
  local rate sent
  rate=$(sed -n 's/.*rate_pps=\([0-9]*\).*/\1/p' "$work/rx.out")
  sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$work/tx.out")
  if [ -z "$rate" ]; then log "$mode: the sink reported nothing"; cat "$work/rx.err" "$work/tx.err" >&2; rate=0; fi
  log "$mode: sent $sent, sink $(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$work/rx.out") at $rate pps"
  awk -v b="$before" -v a="$after" -v r="$rate" 'BEGIN {
    split(b, x, " "); split(a, y, " "); t = 0; for (i = 1; i <= 7; i++) { d[i] = y[i] - x[i]; t += d[i] }
    printf "%s %.0f %.0f %.0f\n", r, 100 * (d[1] + d[2]) / t, 100 * d[3] / t, 100 * (d[6] + d[7]) / t }' >"$work/result.$mode"
  cleanup
}

"$ISTHMUS" help >/dev/null 2>&1 || true # builds on first use
log "$(nproc) CPUs, $(uname -r), ${size}-byte UDP, $flows flow(s), ${duration} s per mode, fast path idle $fastpath_idle"
for mode in ${modes//,/ }; do
  declare -F "setup_$mode" >/dev/null || { log "unknown mode $mode"; exit 2; }
  log "mode $mode"
  run_mode "$mode"
done

base=$(cut -d' ' -f1 "$work/result.kernel" 2>/dev/null || echo 0)
echo "| dataplane | ${size}-byte pps at the sink | ratio to kernel | CPU user % | CPU system % | CPU irq+softirq % |"
echo "|---|---:|---:|---:|---:|---:|"
for mode in ${modes//,/ }; do
  read -r rate user sys soft <"$work/result.$mode"
  ratio=$(awk -v r="$rate" -v b="$base" 'BEGIN { if (b > 0) printf "%.2f", r / b; else print "n/a" }')
  echo "| $mode | $rate | $ratio | $user | $sys | $soft |"
done
