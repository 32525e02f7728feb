#!/usr/bin/env bash
# Side-by-side DNS server throughput on loopback, in one run:
#   isthmus dns serve (the zone of slowpath/src/test/resources/dns/cluster) on 127.0.0.1:$ISTHMUS_PORT
#   unbound with local-data for the very same records                        on 127.0.0.2:$UNBOUND_PORT
# Both get one serving thread (per-core comparison). dnsperf (Debian package dnsperf) sends the
# same query mix to each for $SECONDS_EACH seconds after a short warm-up. Besides dnsperf's
# queries/s and latency, the script reads each server's CPU time from /proc and reports
# queries per CPU-second of the server: the fair figure on a shared, noisy machine.
#
# Usage: [ISTHMUS_UDP=mmsg|nio] benchmarks/dns/dnsperf-vs-unbound.sh [SECONDS_EACH]
#        (default 10 s; needs root to apt-get what is missing)
# Everything it starts is stopped and its temp dir removed on any exit.
set -euo pipefail
SECONDS_EACH=${1:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-3}
ISTHMUS_PORT=${ISTHMUS_PORT:-15353}
UNBOUND_ADDR=127.0.0.2
UNBOUND_PORT=${UNBOUND_PORT:-15354}
ISTHMUS_UDP=${ISTHMUS_UDP:-mmsg}   # isthmus's UDP backend: mmsg (recvmmsg/sendmmsg) or nio
CLIENTS=${CLIENTS:-4}
OUTSTANDING=${OUTSTANDING:-100}
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)

need=()
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v unbound >/dev/null && [ -x /usr/sbin/unbound ] || need+=(unbound)
command -v dig >/dev/null || need+=(bind9-dnsutils)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

work=$(mktemp -d /tmp/isthmus-dnsperf.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. isthmus, one UDP thread.
"$ROOT/isthmus" help >/dev/null 2>&1 || true   # builds on first use
ISTHMUS_NO_BUILD=1 "$ROOT/isthmus" dns serve -f "$ROOT/slowpath/src/test/resources/dns/cluster" \
  --listen "127.0.0.1:$ISTHMUS_PORT" --threads 1 --ttl 30 --udp "$ISTHMUS_UDP" >"$work/isthmus.log" 2>&1 &
pids+=($!)
isthmus_pid=$!
for _ in $(seq 1 100); do
  dig +time=1 +tries=1 @127.0.0.1 -p "$ISTHMUS_PORT" dns-version.cluster.local TXT +short 2>/dev/null | grep -q 1.1.0 && break
  sleep 0.2
done

# 2. The query mix: A, AAAA, SRV (with additionals), PTR, TXT, CNAME, NXDOMAIN.
cat >"$work/queries.txt" <<'Q'
kubernetes.default.svc.cluster.local A
kube-dns.kube-system.svc.cluster.local A
kube-dns.kube-system.svc.cluster.local AAAA
db.default.svc.cluster.local A
db-0.db.default.svc.cluster.local A
_pg._tcp.db.default.svc.cluster.local SRV
_https._tcp.kubernetes.default.svc.cluster.local SRV
1.0.96.10.in-addr.arpa PTR
dns-version.cluster.local TXT
search.default.svc.cluster.local CNAME
missing.default.svc.cluster.local A
web-0.web.default.svc.cluster.local A
Q

# 3. unbound serving the same records: local-data taken from isthmus's own answers.
{
  echo "server:"
  echo "  interface: $UNBOUND_ADDR"
  echo "  port: $UNBOUND_PORT"
  echo "  num-threads: 1"
  echo "  do-daemonize: no"
  echo "  chroot: \"\""
  echo "  username: \"\""
  echo "  directory: \"$work\""
  echo "  pidfile: \"$work/unbound.pid\""
  echo "  use-syslog: no"
  echo "  logfile: \"\""
  echo "  verbosity: 0"
  echo "  do-ip6: no"
  echo "  access-control: 127.0.0.0/8 allow"
  echo "  so-reuseport: yes"
  echo "  module-config: \"iterator\""
  echo "  local-zone: \"cluster.local.\" static"
  echo "  local-zone: \"10.in-addr.arpa.\" static"
  echo "  local-data: \"cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30\""
  while read -r name type; do
    dig +noall +answer +time=2 +tries=1 @127.0.0.1 -p "$ISTHMUS_PORT" "$name" "$type" | while read -r owner ttl class rtype rdata; do
      echo "  local-data: '$owner $ttl $class $rtype $rdata'"
    done
  done <"$work/queries.txt"
  echo "remote-control:"
  echo "  control-enable: no"
} | awk '!seen[$0]++' >"$work/unbound.conf"
unbound-checkconf "$work/unbound.conf" >/dev/null
/usr/sbin/unbound -d -c "$work/unbound.conf" >"$work/unbound.log" 2>&1 &
pids+=($!)
unbound_pid=$!
for _ in $(seq 1 50); do
  dig +time=1 +tries=1 @$UNBOUND_ADDR -p "$UNBOUND_PORT" dns-version.cluster.local TXT +short 2>/dev/null | grep -q 1.1.0 && break
  sleep 0.2
done

# 4. Same answers from both? (sorted answer sections)
for server in "127.0.0.1 $ISTHMUS_PORT" "$UNBOUND_ADDR $UNBOUND_PORT"; do
  set -- $server
  while read -r name type; do dig +noall +answer +time=2 +tries=1 @"$1" -p "$2" "$name" "$type" | sort; done <"$work/queries.txt" >"$work/answers-$2.txt"
done
if ! diff -q "$work/answers-$ISTHMUS_PORT.txt" "$work/answers-$UNBOUND_PORT.txt" >/dev/null; then
  echo "warning: the two servers answer differently:" >&2
  diff "$work/answers-$ISTHMUS_PORT.txt" "$work/answers-$UNBOUND_PORT.txt" >&2 || true
fi

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # name addr port pid
  dnsperf -s "$2" -p "$3" -d "$work/queries.txt" -l "$WARMUP_SECONDS" -c "$CLIENTS" -q "$OUTSTANDING" >/dev/null 2>&1 || true
  local before after out qps lat ticks hz
  hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$4")
  out=$(dnsperf -s "$2" -p "$3" -d "$work/queries.txt" -l "$SECONDS_EACH" -c "$CLIENTS" -q "$OUTSTANDING" 2>&1)
  after=$(cpu_ticks "$4")
  qps=$(echo "$out" | awk '/Queries per second/ {print $4}')
  lat=$(echo "$out" | awk '/Average Latency/ {print $4 * 1000000}')
  completed=$(echo "$out" | awk '/Queries completed/ {print $3}')
  lost=$(echo "$out" | awk '/Queries lost/ {print $3}')
  ticks=$((after - before))
  local per_cpu_second
  per_cpu_second=$(awk -v c="$completed" -v t="$ticks" -v hz="$hz" 'BEGIN { if (t > 0) printf "%.0f", c / (t / hz); else print "n/a" }')
  printf "%-8s queries/s %10s  avg latency %8s us  completed %9s  lost %6s  server CPU %6.2f s  queries per server CPU-second %10s\n" \
    "$1" "$qps" "$lat" "$completed" "$lost" "$(awk -v t="$ticks" -v hz="$hz" 'BEGIN{print t/hz}')" "$per_cpu_second"
}

echo "dnsperf $(dpkg-query -W -f='${Version}' dnsperf 2>/dev/null || echo '?'); unbound $(dpkg-query -W -f='${Version}' unbound 2>/dev/null || echo '?'); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
head -1 "$work/isthmus.log"
echo "each: ${SECONDS_EACH}s after ${WARMUP_SECONDS}s warm-up, $CLIENTS clients, $OUTSTANDING outstanding, $(wc -l <"$work/queries.txt") query names"
run isthmus 127.0.0.1 "$ISTHMUS_PORT" "$isthmus_pid"
run unbound "$UNBOUND_ADDR" "$UNBOUND_PORT" "$unbound_pid"
run isthmus 127.0.0.1 "$ISTHMUS_PORT" "$isthmus_pid"
run unbound "$UNBOUND_ADDR" "$UNBOUND_PORT" "$unbound_pid"
