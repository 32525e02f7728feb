# shellcheck shell=bash
# Shared pieces of benchmarks/harness/dataplanes.sh: logging, the undo stack that puts everything
# back on any exit, bounded background processes, the pod topology and CPU accounting.
# Sourced, never run on its own. Everything here is bounded in time.

log() { echo "dataplanes: $*" >&2; }

# ---- the undo stack: each thing made pushes the command that removes it ----------------------
UNDO=()
on_undo() { UNDO+=("$*"); }
undo_depth() { echo "${#UNDO[@]}"; }
unwind_to() { # depth: runs (last first) every undo command pushed above that depth
  local depth=$1 cmd
  while [ "${#UNDO[@]}" -gt "$depth" ]; do
    cmd=${UNDO[-1]}
    unset 'UNDO[-1]'
    eval "$cmd" >/dev/null 2>&1 || true
  done
}

# After the undo stack ran: names of this run (its tag) still in the kernel, said out loud, never
# removed blindly (something failed to undo; a person should look).
report_leftovers() {
  local left
  left=$( { ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E -- "^(isx-dp-.*-$TAG|isthmus-isxb-$TAG-.*)\$" || true
            ip -o link 2>/dev/null | grep -oE -- "isxq[a-z0-9]$TAG|isxbr$TAG" || true; } | sort -u | paste -sd' ')
  [ -z "$left" ] || log "LEFT BEHIND after clean-up (remove by hand, and report): $left"
}

# ---- processes ---------------------------------------------------------------------------------
descendants() { # pid: the pid and every process below it, one per line
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END { keep[root] = 1; changed = 1
          while (changed) { changed = 0
            for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } }
          for (p in keep) print p }'
}

stop_tree() { # pid: SIGTERM to the process and its descendants, SIGKILL after 5 s
  local pid=$1 all
  all=$(descendants "$pid")
  # SIGTERM, not SIGINT: a non-interactive shell starts background jobs with SIGINT ignored
  kill -TERM $all 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 $all 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL $all 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# stop_bg pid: stops a process this script started, once; later calls (the undo stack's) do
# nothing, so a pid the system has since given to someone else is never signalled
declare -A STOPPED=()
stop_bg() {
  local pid=$1
  [ -n "${STOPPED[$pid]:-}" ] && return 0
  STOPPED[$pid]=1
  [ "$(awk '{ sub(/^.*\) /, ""); print $2 }' "/proc/$pid/stat" 2>/dev/null)" = "$$" ] || { wait "$pid" 2>/dev/null || true; return 0; }
  stop_tree "$pid"
}

# start_bg VAR SECONDS OUT ERR cmd...: runs cmd in the background under `timeout` (a hard bound),
# stdout/stderr to files; its pid goes into VAR and onto the undo stack.
start_bg() { # (locals prefixed: printf -v must not land in one of them)
  local _bg_var=$1 _bg_bound=$2 _bg_out=$3 _bg_err=$4
  shift 4
  timeout -k 5 "$_bg_bound" "$@" >"$_bg_out" 2>"$_bg_err" &
  local _bg_pid=$!
  printf -v "$_bg_var" '%s' "$_bg_pid"
  on_undo "stop_bg $_bg_pid"
}

# start_bg_in NS VAR SECONDS OUT ERR cmd...: the same inside a network namespace
start_bg_in() {
  local _bg_ns=$1
  shift
  local _bg_var=$1 _bg_bound=$2 _bg_out=$3 _bg_err=$4
  shift 4
  ip netns exec "$_bg_ns" timeout -k 5 "$_bg_bound" "$@" >"$_bg_out" 2>"$_bg_err" &
  local _bg_pid=$!
  printf -v "$_bg_var" '%s' "$_bg_pid"
  on_undo "stop_bg $_bg_pid"
}

wait_for() { # seconds description command...: polls every 0.1 s until the command succeeds
  local seconds=$1 what=$2
  shift 2
  local tries=$((seconds * 10))
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log "gave up after ${seconds} s waiting for $what"
  return 1
}

# ---- the pods ----------------------------------------------------------------------------------
# Pod A is the client; B1..B3 are the backends (B1 is also the pod-to-pod destination). Calico's
# model: each pod has a /32 on eth0 and reaches the gateway 169.254.1.1 through a permanent
# neighbour entry naming its host veth's MAC, so no dataplane has to answer ARP for the pods.
TAG=$(printf '%04x' $((RANDOM % 65536)))
NET="10.250.$((RANDOM % 200 + 20))"
IP_A=$NET.2
IP_B=("$NET.3" "$NET.4" "$NET.5")
CLUSTER_IP="10.97.$((RANDOM % 200 + 20)).10"
UDP_SERVICE_PORT=5001 UDP_TARGET_PORT=9  # the pps figures: the sinks count frames to port 9 only
TCP_SERVICE_PORT=80 TCP_TARGET_PORT=80   # the HTTP figures
NS_A=isx-dp-a-$TAG
NS_B=("isx-dp-b1-$TAG" "isx-dp-b2-$TAG" "isx-dp-b3-$TAG")
HOST_A=isxqa$TAG
HOST_B=("isxq1$TAG" "isxq2$TAG" "isxq3$TAG")
PODS=("$NS_A" "${NS_B[@]}")
HOSTS=("$HOST_A" "${HOST_B[@]}")
IPS=("$IP_A" "${IP_B[@]}")
# A dataplane that makes its own pods (isthmus-up) overwrites the names above; every mode starts
# from these.
DEFAULT_TOPOLOGY=$(declare -p NS_A NS_B HOST_A HOST_B IP_A IP_B CLUSTER_IP PODS HOSTS IPS)
reset_topology_names() { eval "$DEFAULT_TOPOLOGY"; }

host_mac() { cat "/sys/class/net/$1/address"; }
pod_mac() { ip netns exec "$1" cat /sys/class/net/eth0/address; }

# The features Isthmus's CNI plugin turns off in a pod that otherwise keeps its offloads (slowpath
# netlink/Offloads.UNFINISHABLE_BY_THE_FAST_PATH): super-packets other than IPv4 TCP, SCTP's CRC.
CNI_OFFLOADS_OFF="tx-tcp6-segmentation tx-tcp-accecn-segmentation tx-udp-segmentation tx-sctp-segmentation tx-gso-list
  tx-udp_tnl-segmentation tx-udp_tnl-csum-segmentation tx-gre-segmentation tx-gre-csum-segmentation tx-ipxip4-segmentation
  tx-ipxip6-segmentation tx-tunnel-remcsum-segmentation tx-esp-segmentation tx-gso-partial tx-fcoe-segmentation tx-checksum-sctp"
set_pod_offloads() { # ns on|off|cni: TSO, GSO, scatter-gather and TX checksum offload of the pod's eth0 (cni: on, as
  # Isthmus's CNI plugin leaves a pod: on, minus what the fast path cannot finish)
  local f
  ip netns exec "$1" ethtool -K eth0 tx "${2/cni/on}" tso "${2/cni/on}" gso "${2/cni/on}" sg "${2/cni/on}" >/dev/null 2>&1 || true
  [ "$2" = cni ] || return 0
  for f in $CNI_OFFLOADS_OFF; do ip netns exec "$1" ethtool -K eth0 "$f" off >/dev/null 2>&1 || true; done
}

make_pod() { # ns host-if ip offloads
  ip netns add "$1"
  on_undo "ip netns del $1"
  ip link add "$2" type veth peer name eth0 netns "$1"
  on_undo "ip link del $2"
  ip link set "$2" up
  ip -n "$1" link set lo up
  ip -n "$1" link set eth0 up
  set_pod_offloads "$1" "$4"
  ip -n "$1" addr add "$3/32" dev eth0
  ip -n "$1" route add 169.254.1.1 dev eth0 scope link
  ip -n "$1" route add default via 169.254.1.1 dev eth0
  ip -n "$1" neigh replace 169.254.1.1 lladdr "$(host_mac "$2")" dev eth0 nud permanent
  # many short connections from one client (the new-connections figure)
  ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1 >/dev/null
}

make_topology() { # offloads on|off
  local i
  for i in 0 1 2 3; do make_pod "${PODS[$i]}" "${HOSTS[$i]}" "${IPS[$i]}" "$1"; done
}

reach() { # ns ip: up to three pings, a second each, until one is answered
  local _
  for _ in 1 2 3; do ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0; done
  return 1
}
warm_paths() { # ping both ways between A and each backend: dataplanes that learn MACs learn them here
  local i ok=0
  for i in 0 1 2; do
    reach "$NS_A" "${IP_B[$i]}" || ok=1
    reach "${NS_B[$i]}" "$IP_A" || ok=1
  done
  return $ok
}

# ---- CPU accounting ----------------------------------------------------------------------------
# CPU time over a window in the middle of a load, in cores (CPU-seconds per second): per group of
# process trees, and the whole machine's irq + softirq time (where the kernel forwards packets).
now_s() { date +%s.%N; }
softirq_ticks() { awk '/^cpu /{print $7 + $8}' /proc/stat; }

# cpu_begin "gen=PIDS" "dp=PIDS" "other=PIDS": takes the process trees once (one ps), then reads
# their counters; cpu_end reads the same processes again. A process that ended inside the window
# makes its group "-" (not measured) rather than a wrong figure.
cpu_begin() {
  CPU_GROUPS=("$@")
  CPU_PIDS=()
  CPU_V0=()
  local g table
  table=$(ps -e -o pid=,ppid=)
  for g in "$@"; do
    # shellcheck disable=SC2086
    CPU_PIDS+=("$(trees_in "$table" ${g#*=} | paste -sd' ')")
  done
  CPU_T0=$(now_s)
  CPU_S0=$(softirq_ticks)
  for g in "${CPU_PIDS[@]}"; do
    # shellcheck disable=SC2086
    CPU_V0+=("$(ticks_of $g)")
  done
}

trees_in() { # ps-table roots...: the roots and their descendants, one per line
  local table=$1
  shift
  [ $# -gt 0 ] || return 0
  awk -v roots="$*" '
    { parent[$1] = $2 }
    END { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1; changed = 1
          while (changed) { changed = 0
            for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } }
          for (p in keep) print p }' <<<"$table"
}

ticks_of() { # pids...: "TICKS FOUND" (user + system ticks of those still alive, how many were)
  local p files=()
  for p in "$@"; do files+=("/proc/$p/stat"); done
  [ ${#files[@]} -gt 0 ] || { echo "0 0"; return; }
  { cat "${files[@]}" 2>/dev/null || true; } | awk '{ sub(/^.*\) /, ""); t += $12 + $13; n++ } END { print t + 0, n + 0 }'
}

# cpu_end: sets CPU_CORES[name] for each group and CPU_CORES[softirq]
cpu_end() {
  local t1 s1 i g v hz want
  t1=$(now_s)
  s1=$(softirq_ticks)
  hz=$(getconf CLK_TCK)
  declare -gA CPU_CORES=()
  CPU_CORES[softirq]=$(awk -v a="$CPU_S0" -v b="$s1" -v t0="$CPU_T0" -v t1="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz / (t1 - t0) }')
  for i in "${!CPU_GROUPS[@]}"; do
    g=${CPU_GROUPS[$i]}
    if [ -z "${CPU_PIDS[$i]}" ]; then CPU_CORES[${g%%=*}]=-; continue; fi
    # shellcheck disable=SC2086
    v=$(ticks_of ${CPU_PIDS[$i]})
    want=$(wc -w <<<"${CPU_PIDS[$i]}")
    CPU_CORES[${g%%=*}]=$(awk -v a="${CPU_V0[$i]}" -v b="$v" -v want="$want" -v t0="$CPU_T0" -v t1="$t1" -v hz="$hz" '
      BEGIN { split(a, x, " "); split(b, y, " ")
              if (y[2] < want || y[1] < x[1]) print "-"; else printf "%.2f", (y[1] - x[1]) / hz / (t1 - t0) }')
  done
}
