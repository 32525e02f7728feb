#!/usr/bin/env bash
# Turns a results.tsv of benchmarks/harness/dataplanes.sh into Markdown: the machine and command,
# one table of every cell with its ratio to the figure's kernel reference and the CPU it used,
# and the speed targets of issue #10 checked against the same run.
#   benchmarks/harness/render.sh results.tsv > results.md
#   benchmarks/harness/render.sh --ratios results.tsv > ratios.tsv   (figure, mode, ratio: for chart.sh)
set -euo pipefail
ratios_only=0
if [ "${1:-}" = --ratios ]; then ratios_only=1; shift; fi
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 [--ratios] results.tsv" >&2; exit 2; }
awk -F'\t' -v ratios_only="$ratios_only" '
function baseline(f) { return f ~ /^pps-pod/ ? "kernel" : f ~ /^pps-cip/ ? "iptables" : f == "tcp" ? "kernel-offload" : "iptables" }
# The ratio of m to ref for a figure: per round (both measured in the same round), then the median
# over the rounds; "" when no round has both.
function ratio_of(f, m, ref,   r, nr, x, t, j, q) {
  nr = 0
  for (r = 1; r <= maxround; r++)
    if (((f, m, r) in byround) && ((f, ref, r) in byround) && byround[f, m, r] != "" && byround[f, ref, r] > 0) q[++nr] = byround[f, m, r] / byround[f, ref, r]
  if (nr == 0) return ""
  for (j = 2; j <= nr; j++) { x = q[j]; t = j - 1; while (t > 0 && q[t] > x) { q[t + 1] = q[t]; t-- } q[t + 1] = x }
  return nr % 2 ? q[(nr + 1) / 2] : (q[nr / 2] + q[nr / 2 + 1]) / 2
}
function ratio(f, m,   x) { x = ratio_of(f, m, baseline(f)); return x == "" ? "" : sprintf("%.2f", x) }
function fig_title(f) {
  if (f ~ /^pps-pod-/) return "64-byte UDP pod → pod, " flows(substr(f, 9)) ", pps"
  if (f ~ /^pps-cip-/) return "64-byte UDP pod → ClusterIP, " flows(substr(f, 9)) ", pps"
  if (f == "tcp") return "TCP pod → pod (iperf3), Gbps"
  if (f == "http-rps") return "HTTP via ClusterIP, keep-alive, requests/s"
  if (f == "http-cps") return "HTTP via ClusterIP, Connection: close, new connections/s"
  return f }
function flows(n) { return num(n) (n == 1 ? " flow" : " flows") }
function mode_title(m) {
  if (m == "kernel") return "kernel routing"
  if (m == "kernel-offload") return "kernel routing, pod offloads on"
  if (m == "iptables") return "kernel + iptables DNAT"
  if (m == "nftables") return "kernel + nftables DNAT"
  if (m == "ovs") return "OVS userspace, AF_XDP"
  if (m == "isthmus") return "Isthmus (isthmus fastpath)"
  if (m == "isthmus-up") return "Isthmus node (isthmus up)"
  if (m == "isthmus-native") return "Isthmus (isthmus fastpath), pod offloads off, native XDP (before session 6)"
  if (m == "isthmus-offload") return "Isthmus (isthmus fastpath), pod offloads on, native XDP"
  if (m == "isthmus-offload-generic") return "Isthmus (isthmus fastpath), pod offloads on, generic XDP"
  return m }
function num(v,   s, neg, out) {
  if (v == "" || v !~ /^[0-9.]+$/) return v
  if (v ~ /\./ && v + 0 < 1000) return sprintf("%.2f", v)
  s = sprintf("%.0f", v); out = ""
  while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
  return s out }
function target(label, f, m, ref, min,   r, x) {
  if (!((f, m) in val)) return
  r = ratio_of(f, m, ref)
  if (r == "") { x = val[f, m] == "" ? note[f, m] : "no reference figure"; printf "| %s | %s | %s |\n", label, min, (x ~ /^n\/a/ ? x : "n/a (" x ")"); return }
  printf "| %s | %s | %.2f: %s |\n", label, min, r, (r >= min ? "**met**" : "**not met**") }
/^# machine/ { machine = $2; next }
/^# started/ { started = $2; load0 = $3; next }
/^# finished/ { finished = $2; load1 = $3; next }
/^# command/ { command = $2; next }
/^figure\t/ { next }
{ k = $1 SUBSEP $2
  if (!(k in cnt)) { n++; fig[n] = $1; mode[n] = $2; unit[n] = $4 }
  byround[$1, $2, $10 + 0] = $3; if ($10 + 0 > maxround) maxround = $10 + 0
  c = ++cnt[k]; rv[k, c] = $3; rg[k, c] = $5; rd[k, c] = $6; ro[k, c] = $7; rs[k, c] = $8; rn[k, c] = $9 }
# Several rounds: the median of the values (the mean of the middle two for an even count), the
# CPU columns and note of the round at the (lower) middle, and the range.
function aggregate(i,   f, m, k, c, j, t, x, idx, nv, mid) {
  f = fig[i]; m = mode[i]; k = f SUBSEP m; nv = 0
  for (c = 1; c <= cnt[k]; c++) if (rv[k, c] != "") idx[++nv] = c
  for (j = 2; j <= nv; j++) { x = idx[j]; t = j - 1; while (t > 0 && rv[k, idx[t]] + 0 > rv[k, x] + 0) { idx[t + 1] = idx[t]; t-- } idx[t + 1] = x }
  if (nv == 0) { val[f, m] = ""; note[f, m] = rn[k, 1]; gen[i] = rg[k, 1]; dp[i] = rd[k, 1]; other[i] = ro[k, 1]; soft[i] = rs[k, 1]; range[i] = ""; return }
  mid = idx[int((nv + 1) / 2)]
  val[f, m] = nv % 2 ? rv[k, mid] : (rv[k, idx[nv / 2]] + rv[k, idx[nv / 2 + 1]]) / 2
  gen[i] = rg[k, mid]; dp[i] = rd[k, mid]; other[i] = ro[k, mid]; soft[i] = rs[k, mid]; note[f, m] = rn[k, mid]
  range[i] = nv > 1 ? " (" num(rv[k, idx[1]]) "–" num(rv[k, idx[nv]]) ", " nv " rounds)" : ""
}
END {
  for (i = 1; i <= n; i++) aggregate(i)
  if (ratios_only) {
    for (i = 1; i <= n; i++) printf "%s\t%s\t%s\n", fig[i], mode[i], ratio(fig[i], mode[i])
    exit
  }
  printf "Machine: %s. Run %s to %s (load average %s at the start, %s at the end).\n\n", machine, started, finished, load0, load1
  printf "```sh\n%s\n```\n\n", command
  if (maxround > 1) {
    print "With several rounds: the median, its range in brackets, the CPU columns and note of the median round,"
    print "and the median of the per-round ratios (each round measures every dataplane once, one after the other)."
  }
  print "CPU columns: cores used (CPU-seconds per second) during a window in the middle of the load: the"
  print "generator (pktgen / iperf3 client / wrk), the dataplane'"'"'s own process (ovs-vswitchd, the isthmus"
  print "JVM; none for the kernel), the sinks or servers (pktgen --rx, iperf3 -s, nginx), and irq +"
  print "softirq time of all CPUs (where the kernel forwards, and where veth and AF_XDP copies run)."
  print ""
  print "| figure | dataplane | result | ratio to reference | generator | dataplane | sinks / servers | irq+softirq | note |"
  print "|---|---|---:|---:|---:|---:|---:|---:|---|"
  for (i = 1; i <= n; i++) {
    f = fig[i]; m = mode[i]; v = val[f, m]
    r = ratio(f, m); if (m == baseline(f) && v != "" && v > 0) r = "1.00 (reference)"
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", fig_title(f), mode_title(m), (v == "" ? "n/a" : num(v) " " unit[i] range[i]), r, gen[i], dp[i], other[i], soft[i], note[f, m]
  }
  print ""
  print "Targets (issue #10), Isthmus against the other dataplanes in this run:"
  print ""
  print "| target | at least | ratio in this run |"
  print "|---|---:|---|"
  target("pod → pod pps, 1 flow, vs kernel routing", "pps-pod-1", "isthmus", "kernel", 1.5)
  target("pod → pod pps, 1,000 flows, vs kernel routing", "pps-pod-1000", "isthmus", "kernel", 1.5)
  target("pod → pod pps, 1 flow, vs OVS AF_XDP", "pps-pod-1", "isthmus", "ovs", 1.0)
  target("pod → pod pps, 1,000 flows, vs OVS AF_XDP", "pps-pod-1000", "isthmus", "ovs", 1.0)
  target("pod → ClusterIP pps, 1 flow, vs iptables DNAT", "pps-cip-1", "isthmus", "iptables", 2.0)
  target("pod → ClusterIP pps, 1,000 flows, vs iptables DNAT", "pps-cip-1000", "isthmus", "iptables", 2.0)
  target("TCP Gbps vs kernel with offloads", "tcp", "isthmus", "kernel-offload", 0.5)
  target("before session 6 (pod offloads off, native XDP): TCP Gbps vs kernel with offloads", "tcp", "isthmus-native", "kernel-offload", 0.5)
  target("pod offloads on, native XDP: TCP Gbps vs kernel with offloads", "tcp", "isthmus-offload", "kernel-offload", 0.5)
  target("pod offloads on, generic XDP: TCP Gbps vs kernel with offloads", "tcp", "isthmus-offload-generic", "kernel-offload", 0.5)
  target("new connections/s vs iptables DNAT", "http-cps", "isthmus", "iptables", 1.0)
  target("new connections/s vs nftables DNAT", "http-cps", "isthmus", "nftables", 1.0)
  target("isthmus up: pod → pod pps, 1 flow, vs kernel routing", "pps-pod-1", "isthmus-up", "kernel", 1.5)
  target("isthmus up: pod → pod pps, 1,000 flows, vs kernel routing", "pps-pod-1000", "isthmus-up", "kernel", 1.5)
  target("isthmus up: pod → pod pps, 1 flow, vs OVS AF_XDP", "pps-pod-1", "isthmus-up", "ovs", 1.0)
  target("isthmus up: pod → pod pps, 1,000 flows, vs OVS AF_XDP", "pps-pod-1000", "isthmus-up", "ovs", 1.0)
  target("isthmus up: pod → ClusterIP pps, 1 flow, vs iptables DNAT", "pps-cip-1", "isthmus-up", "iptables", 2.0)
  target("isthmus up: pod → ClusterIP pps, 1,000 flows, vs iptables DNAT", "pps-cip-1000", "isthmus-up", "iptables", 2.0)
  target("isthmus up: TCP Gbps vs kernel with offloads", "tcp", "isthmus-up", "kernel-offload", 0.5)
  target("isthmus up: new connections/s vs iptables DNAT", "http-cps", "isthmus-up", "iptables", 1.0)
  target("isthmus up: new connections/s vs nftables DNAT", "http-cps", "isthmus-up", "nftables", 1.0)
}' "$1"
