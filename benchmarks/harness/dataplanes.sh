#!/usr/bin/env bash
# Isthmus against the dataplanes a Kubernetes node uses today, side by side in one run, each
# figure measured the same way for every dataplane (issue #10):
#
#   benchmarks/harness/dataplanes.sh [--duration S] [--modes kernel,kernel-offload,iptables,nftables,ovs,isthmus]
#                                    [--figures pps-pod-1,pps-pod-1000,pps-cip-1,pps-cip-1000,tcp,http-rps,http-cps]
#                                    [--http-connections N] [--rounds N] [--out DIR] [--smoke]
#
# Dataplanes (modes), all switching the same four pods (A, the client; B1..B3, the backends):
#   kernel          (a) the Linux kernel routes the pods: /32 routes to each host veth (Calico's model)
#   kernel-offload  the same with the pods' offloads on (TSO/GSO/checksum): the TCP reference
#   iptables        (b) kernel routing + kube-proxy-style iptables DNAT for a ClusterIP (statistic random)
#   nftables        (b) kernel routing + kube-proxy-style nftables DNAT (numgen random vmap)
#   ovs             (c) Open vSwitch userspace datapath, AF_XDP ports, OpenFlow routing + ct(nat) group
#   isthmus         (d) ./isthmus fastpath --port ... on the same pods as the others, the pods' offloads
#                   as Isthmus's CNI plugin leaves them (on) and XDP mode auto (native first): the product
#   isthmus-native  (d) the same on pods with offloads off, XDP native (the default before session 6)
#   isthmus-offload (d) pods' offloads on, XDP native; isthmus-offload-generic: XDP generic (adaptive idling)
#   isthmus-up      (d) Isthmus as a node runs it: ./isthmus up (agent, CNI plugin, API server) makes
#                   the pods and the ClusterIP from YAML; the harness only adds the load
# Figures:
#   pps-pod-N       64-byte UDP packets/s pod A -> pod B1 with N flows (isthmus pktgen, AF_XDP, both ends)
#   pps-cip-N       the same to the ClusterIP, counted at the three backends after DNAT (mode isthmus:
#                   the fast path restarted with --services, the whole pipeline and a Service from YAML)
#   tcp             TCP Gbps pod A -> pod B1 (iperf3)
#   http-rps        HTTP requests/s to the ClusterIP, keep-alive (wrk; nginx in the backends)
#   http-cps        the same with `Connection: close`: new connections/s
#
# Writes DIR/results.tsv (one line per cell, CPU cores used by generator, dataplane, sinks/servers
# and softirq) and DIR/results.md (the tables, ratios, targets); the tables also go to stdout.
# --rounds N: the whole sequence of modes N times (the dataplanes interleaved, so a change in the
# machine's load falls on all of them); the tables give the median and the range.
# --smoke: 2 s per cell, one figure of each kind, and exit status 1 if a dataplane whose tools are
# present produced nothing (no thresholds); a missing optional tool skips its mode, visibly.
# Needs root. Installs what it needs from Debian (scripts/install-deps.sh). Every namespace, veth,
# route, rule, XDP program and process it makes is removed on any exit; every load is bounded.
set -euo pipefail
HARNESS=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
HOME_DIR=$(cd "$HARNESS/../.." && pwd)
ISTHMUS="$HOME_DIR/isthmus"
ALL_MODES=kernel,kernel-offload,iptables,nftables,ovs,isthmus,isthmus-native,isthmus-offload,isthmus-offload-generic,isthmus-up
ALL_FIGURES=pps-pod-1,pps-pod-1000,pps-cip-1,pps-cip-1000,tcp,http-rps,http-cps
# (the ClusterIP with 1 flow right after pod -> pod with 1 flow, from the same source port: the
# case where isthmus up dropped every packet as a conntrack clash before session 3; see RESULTS.md)
SMOKE_FIGURES=pps-pod-1,pps-cip-1,tcp,http-rps,http-cps
DURATION=10 MODES=$ALL_MODES FIGURES="" HTTP_CONNECTIONS=32 OUT="" SMOKE=0 ROUNDS=1
usage() { sed -n '6,8p' "$0" | sed 's/^# *//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --figures) FIGURES=$2; shift 2 ;;
    --http-connections) HTTP_CONNECTIONS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    *) usage ;;
  esac
done
if [ "$SMOKE" = 1 ]; then
  DURATION=2
  FIGURES=${FIGURES:-$SMOKE_FIGURES}
fi
FIGURES=${FIGURES:-$ALL_FIGURES}
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 2 ] || { echo "dataplanes: --duration wants whole seconds >= 2" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "dataplanes: --rounds wants a whole number >= 1" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "dataplanes: needs root (namespaces, XDP, AF_XDP, iptables)" >&2; exit 1; }

. "$HARNESS/lib/common.sh"
. "$HARNESS/lib/dataplanes.sh"
. "$HARNESS/lib/figures.sh"

WORK=$(mktemp -d /tmp/isthmus-dataplanes.XXXXXX)
OUT=${OUT:-${TMPDIR:-/tmp}/isthmus-dataplanes-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
RUN_BOUND_S=$((DURATION * 60 + 600)) # no process of this run outlives this, whatever happens
exec 3>&2
# ISX_DEBUG=1 keeps the work directory (every process's output) for a look afterwards
trap 'unwind_to 0; report_leftovers; if [ "${ISX_DEBUG:-}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi' EXIT
trap 'exit 130' INT TERM HUP
# a command that stops the run names itself (set -e would otherwise end it without a word)
set -E
trap 'log "stopped by a failing command: line $LINENO of ${BASH_SOURCE[0]##*/} (${FUNCNAME[0]:-main}): $BASH_COMMAND (status $?)"' ERR

if ! "$HOME_DIR/scripts/install-deps.sh"; then
  [ "$SMOKE" = 1 ] || { log "could not install the Debian packages (scripts/install-deps.sh)"; exit 1; }
  log "could not install every Debian package; modes missing a tool are skipped"
fi
command -v jq >/dev/null || { log "needs jq (Debian: jq)"; exit 1; }
if [ "${ISTHMUS_NO_BUILD:-}" != 1 ]; then "$ISTHMUS" help >/dev/null 2>&1 || true; fi # builds on first use

machine="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPUs, Linux $(uname -r)"
log "$machine; ${DURATION} s per cell; load average $(cut -d' ' -f1-3 /proc/loadavg)"
{
  printf '# machine\t%s\n' "$machine"
  printf '# started\t%s\t%s\n' "$(date -u +%FT%TZ)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '# command\t%s\n' "benchmarks/harness/dataplanes.sh --duration $DURATION --modes $MODES --figures $FIGURES --http-connections $HTTP_CONNECTIONS --rounds $ROUNDS$([ "$SMOKE" = 1 ] && echo ' --smoke')"
  printf 'figure\tmode\tvalue\tunit\tgen_cores\tdp_cores\tother_cores\tsoftirq_cores\tnote\tround\n'
} >"$RESULTS"

record() { # figure mode value unit note (CPU_CORES from the figure's window)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" \
    "${CPU_CORES[gen]:--}" "${CPU_CORES[dp]:--}" "${CPU_CORES[other]:--}" "${CPU_CORES[softirq]:--}" "$5" "$ROUND" >>"$RESULTS"
}

unit_of() { case "$1" in pps-*) echo pps ;; tcp) echo Gbps ;; http-cps) echo conn/s ;; *) echo req/s ;; esac; }
have_af_xdp() { # can this kernel open an AF_XDP socket (address family 44)?
  [ -n "${HAVE_AF_XDP:-}" ] || { python3 -c 'import socket; socket.socket(44, socket.SOCK_RAW).close()' 2>/dev/null && HAVE_AF_XDP=yes || HAVE_AF_XDP=no; }
  [ "$HAVE_AF_XDP" = yes ]
}
needs_service() { case "$1" in pps-cip-*|http-*) return 0 ;; *) return 1 ;; esac; }

run_figure() { # mode figure
  FIG_RESULT="0 ?|not run"
  declare -gA CPU_CORES=()
  case "$2" in
    pps-pod-*) fig_pps "$1" "$2" "${2#pps-pod-}" "${IP_B[0]}" "$UDP_TARGET_PORT" 0 ;;
    pps-cip-*) fig_pps "$1" "$2" "${2#pps-cip-}" "$CLUSTER_IP" "$UDP_SERVICE_PORT" 0 1 2 ;;
    tcp) fig_tcp "$1" ;;
    http-rps) fig_http "$1" "$2" keepalive ;;
    http-cps) fig_http "$1" "$2" close ;;
  esac
  local value=${FIG_RESULT%% *} rest=${FIG_RESULT#* }
  record "$2" "$1" "$value" "${rest%%|*}" "${rest#*|}"
}

failures=()
for ROUND in $(seq "$ROUNDS"); do
[ "$ROUNDS" -gt 1 ] && log "round $ROUND of $ROUNDS"
for mode in ${MODES//,/ }; do
  fn=dp_${mode//-/_}
  declare -F "${fn}_start" >/dev/null || { log "unknown mode $mode (modes: $ALL_MODES)"; exit 2; }
  figures=()
  for f in $("${fn}_figures"); do [[ ",$FIGURES," == *",$f,"* ]] && figures+=("$f"); done
  [ ${#figures[@]} -gt 0 ] || continue
  missing=""
  for tool in $("${fn}_tools"); do
    if [ "$tool" = @af_xdp ]; then have_af_xdp || missing+=" AF_XDP-sockets"; else command -v "$tool" >/dev/null || missing+=" $tool"; fi
  done
  if [ -n "$missing" ]; then
    log "SKIPPED $mode: missing$missing"
    declare -gA CPU_CORES=()
    for f in "${figures[@]}"; do record "$f" "$mode" "" "$(unit_of "$f")" "skipped: missing$missing"; done
    continue
  fi
  log "mode $mode ($("${fn}_title")): ${figures[*]}"
  depth=$(undo_depth)
  reset_topology_names
  # a dataplane may make the pods itself (isthmus-up: its CNI plugin does)
  if declare -F "${fn}_topology" >/dev/null; then topology="${fn}_topology"; else topology="make_topology $("${fn}_offloads")"; fi
  if ! $topology || ! "${fn}_start"; then
    log "$mode: the dataplane did not start"
    declare -gA CPU_CORES=()
    for f in "${figures[@]}"; do record "$f" "$mode" 0 "$(unit_of "$f")" "the dataplane did not start"; done
    failures+=("$mode: did not start")
    unwind_to "$depth"
    continue
  fi
  service=unset
  for f in "${figures[@]}"; do
    if needs_service "$f" && [ "$service" = unset ]; then
      SERVICE_REASON=""
      if "${fn}_service"; then service=yes; else service="${SERVICE_REASON:-the ClusterIP could not be set up}"; log "$mode: $service"; fi
    fi
    if needs_service "$f" && [ "$service" != yes ]; then
      declare -gA CPU_CORES=()
      record "$f" "$mode" "" "$(unit_of "$f")" "$service"
      continue
    fi
    if [[ "$f" == pps-* ]] && ! have_af_xdp; then # the generator and the sinks are AF_XDP programs
      declare -gA CPU_CORES=()
      record "$f" "$mode" "" pps "skipped: this kernel does not open AF_XDP sockets"
      log "SKIPPED $mode $f: this kernel does not open AF_XDP sockets"
      continue
    fi
    run_figure "$mode" "$f"
    if [ "${ISX_DEBUG:-}" = 1 ] && declare -F "${fn}_debug" >/dev/null; then "${fn}_debug" || true; fi
    value=$(tail -1 "$RESULTS" | cut -f3)
    awk -v v="$value" 'BEGIN { exit !(v > 0) }' || failures+=("$mode $f: $(tail -1 "$RESULTS" | cut -f9)")
  done
  unwind_to "$depth"
done
done
printf '# finished\t%s\t%s\n' "$(date -u +%FT%TZ)" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS"

"$HARNESS/render.sh" "$RESULTS" | tee "$OUT/results.md"
log "results in $OUT"
if [ ${#failures[@]} -gt 0 ]; then
  log "cells that produced nothing:"
  for f in "${failures[@]}"; do log "  $f"; done
  [ "$SMOKE" = 1 ] && exit 1
fi
exit 0
