#!/usr/bin/env bash
# How fast could pod -> pod go if the fast path left userspace altogether? Measures, side by side on
# the same two pods with the same generator and sink as dataplanes.sh (64-byte UDP, `isthmus pktgen`
# on AF_XDP in pod A, `isthmus pktgen --rx` on AF_XDP in pod B):
#   kernel        the kernel routes the pods (a /32 route per host veth, as dataplanes.sh's kernel mode)
#   xdp-redirect  a 4-instruction XDP program on A's host veth sends every frame straight out of B's
#                 (bpf_redirect, native): no lookup, no rewrite, no userspace; an upper bound for
#                 moving established pod -> pod flows into XDP (io.isthmus.benchmarks.fastpath.XdpRedirectBound)
#   isthmus       ./isthmus fastpath --port A=IP --port B=IP --idle busy-spin (3 s of warm-up first)
# Usage: benchmarks/harness/xdp-redirect-bound.sh [--rounds N] [--duration S] [--flows N]   (root)
set -euo pipefail
HOME_DIR=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=2 DURATION=8 FLOWS=1
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --flows) FLOWS=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--duration S] [--flows N]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "xdp-redirect-bound: needs root (namespaces, XDP)" >&2; exit 1; }
. "$HOME_DIR/scripts/find-jdk.sh"
isthmus_find_jdk || exit 1
JAVA="$ISTHMUS_JAVA_HOME/bin/java"
ISTHMUS="$HOME_DIR/isthmus"
JAR="$HOME_DIR/benchmarks/target/benchmarks.jar"
if [ ! -f "$JAR" ]; then
  (cd "$HOME_DIR" && JAVA_HOME="$ISTHMUS_JAVA_HOME" mvn -B -ntp -q -pl benchmarks,slowpath -am package -DskipTests) >&2
fi
FLAGS=$(sed -n 's:.*<isthmus.jvm.flags>\(.*\)</isthmus.jvm.flags>.*:\1:p' "$HOME_DIR/pom.xml")

TAG=$$ WORK=$(mktemp -d /tmp/xdp-bound.XXXXXX)
NS_A=isx-xb-a-$TAG NS_B=isx-xb-b-$TAG HOST_A=isxba$TAG HOST_B=isxbb$TAG IP_A=10.251.0.1 IP_B=10.251.0.2
BG=()
cleanup() {
  local pid
  for pid in "${BG[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$NS_A" 2>/dev/null || true; ip netns del "$NS_B" 2>/dev/null || true
  ip link del "$HOST_A" 2>/dev/null || true; ip link del "$HOST_B" 2>/dev/null || true
  ip route del "$IP_A/32" 2>/dev/null || true; ip route del "$IP_B/32" 2>/dev/null || true
  [ -n "${FORWARD_BEFORE:-}" ] && sysctl -qw net.ipv4.ip_forward="$FORWARD_BEFORE"
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
FORWARD_BEFORE=$(sysctl -n net.ipv4.ip_forward)

make_pod() { # ns host-if ip: as dataplanes.sh's pods (offloads off: the generator bypasses the stack anyway)
  ip netns add "$1"
  ip link add "$2" type veth peer name eth0 netns "$1"
  ip link set "$2" up; ip -n "$1" link set lo up; ip -n "$1" link set eth0 up
  ip netns exec "$1" ethtool -K eth0 tx off tso off gso off sg off >/dev/null 2>&1 || true
  ip -n "$1" addr add "$3/32" dev eth0
  ip -n "$1" route add 169.254.1.1 dev eth0 scope link
  ip -n "$1" route add default via 169.254.1.1 dev eth0
  ip -n "$1" neigh replace 169.254.1.1 lladdr "$(cat "/sys/class/net/$2/address")" dev eth0 nud permanent
}
make_pod "$NS_A" "$HOST_A" "$IP_A"
make_pod "$NS_B" "$HOST_B" "$IP_B"

measure() { # label: one figure, the sink's rate
  local rx_pid
  timeout -k 5 $((DURATION + 60)) env ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen --rx --netns "/run/netns/$NS_B" --dst-port 9 \
    --duration $((DURATION + 30)) --idle batch >"$WORK/rx.out" 2>"$WORK/rx.err" &
  rx_pid=$!
  for _ in $(seq 1 300); do grep -q 'counting frames' "$WORK/rx.err" 2>/dev/null && break; sleep 0.1; done
  timeout -k 5 $((DURATION + 60)) env ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen --netns "/run/netns/$NS_A" --dst-ip "$IP_B" --dst-port 9 \
    --size 64 --flows "$FLOWS" --duration "$DURATION" >"$WORK/tx.out" 2>"$WORK/tx.err" || true
  kill -TERM "$rx_pid" 2>/dev/null || true; wait "$rx_pid" 2>/dev/null || true
  printf '%s\t%s\t%s\t%s\n' "$ROUND" "$1" "$(sed -n 's/.*rate_pps=\([0-9]*\).*/\1/p' "$WORK/rx.out")" \
    "$(sed -n 's/.*rate_pps=\([0-9]*\).*/\1/p' "$WORK/tx.out")"
}

printf 'round\tdataplane\tsink_pps\tgenerator_pps\n'
for ROUND in $(seq 1 "$ROUNDS"); do
  # kernel routing
  sysctl -qw net.ipv4.ip_forward=1
  ip route add "$IP_A/32" dev "$HOST_A"; ip route add "$IP_B/32" dev "$HOST_B"
  ip neigh replace "$IP_B" lladdr "$(ip netns exec "$NS_B" cat /sys/class/net/eth0/address)" dev "$HOST_B" nud permanent
  measure kernel
  ip route del "$IP_A/32"; ip route del "$IP_B/32"
  # XDP bpf_redirect, no userspace
  "$JAVA" $FLAGS -cp "$JAR" io.isthmus.benchmarks.fastpath.XdpRedirectBound "$HOST_A" "$HOST_B" $((DURATION + 60)) >"$WORK/bound.out" 2>&1 &
  BG+=("$!")
  for _ in $(seq 1 300); do grep -q attached "$WORK/bound.out" 2>/dev/null && break; sleep 0.1; done
  grep -q attached "$WORK/bound.out" || { cat "$WORK/bound.out" >&2; exit 1; }
  measure xdp-redirect
  kill "${BG[-1]}"; wait "${BG[-1]}" 2>/dev/null || true
  # Isthmus
  env ISTHMUS_NO_BUILD=1 "$ISTHMUS" fastpath --port "$HOST_A=$IP_A" --port "$HOST_B=$IP_B" --idle busy-spin --quiet \
    --duration $((DURATION + 90)) >"$WORK/fp.out" 2>"$WORK/fp.err" &
  BG+=("$!")
  for _ in $(seq 1 300); do [ "$(ip -o link show "$HOST_B" | grep -c xdp)" = 1 ] && break; sleep 0.1; done
  timeout -k 5 40 env ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen --netns "/run/netns/$NS_A" --dst-ip "$IP_B" --dst-port 9 \
    --size 64 --flows 1000 --duration 3 >/dev/null 2>&1 || true
  measure isthmus
  kill -TERM "${BG[-1]}"; wait "${BG[-1]}" 2>/dev/null || true
done
