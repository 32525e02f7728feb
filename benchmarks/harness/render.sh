#!/usr/bin/env bash
# Turns a results.tsv of benchmarks/harness/dataplanes.sh into Markdown: the machine and command,
# one table of every cell with its ratio to the figure's kernel reference and the CPU it used,
# and the speed targets of issue #10 checked against the same run.
#   benchmarks/harness/render.sh results.tsv > results.md
set -euo pipefail
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 results.tsv" >&2; exit 2; }
awk -F'\t' '
function baseline(f) { return f ~ /^pps-pod/ ? "kernel" : f ~ /^pps-cip/ ? "iptables" : f == "tcp" ? "kernel-offload" : "iptables" }
function ratio(f, m,   b) { b = baseline(f); if (!((f, m) in val) || !((f, b) in val) || val[f, b] <= 0 || val[f, m] == "") return ""; return sprintf("%.2f", val[f, m] / val[f, b]) }
function fig_title(f) {
  if (f ~ /^pps-pod-/) return "64-byte UDP pod → pod, " num(substr(f, 9)) " flow(s), pps"
  if (f ~ /^pps-cip-/) return "64-byte UDP pod → ClusterIP, " num(substr(f, 9)) " flow(s), pps"
  if (f == "tcp") return "TCP pod → pod (iperf3), Gbps"
  if (f == "http-rps") return "HTTP via ClusterIP, keep-alive, requests/s"
  if (f == "http-cps") return "HTTP via ClusterIP, Connection: close, new connections/s"
  return f }
function mode_title(m) {
  if (m == "kernel") return "kernel routing"
  if (m == "kernel-offload") return "kernel routing, pod offloads on"
  if (m == "iptables") return "kernel + iptables DNAT"
  if (m == "nftables") return "kernel + nftables DNAT"
  if (m == "ovs") return "OVS userspace, AF_XDP"
  if (m == "isthmus") return "Isthmus"
  return m }
function num(v,   s, neg, out) {
  if (v == "" || v !~ /^[0-9.]+$/) return v
  if (v ~ /\./ && v + 0 < 1000) return v
  s = sprintf("%.0f", v); out = ""
  while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
  return s out }
function target(label, f, m, ref, min,   r, b) {
  if (!((f, m) in val)) return
  b = ""
  if ((f, ref) in val) b = val[f, ref]
  if (val[f, m] == "" || b == "" || b <= 0) { printf "| %s | %s | n/a (%s) |\n", label, min, (val[f, m] == "" ? note[f, m] : "no reference figure"); return }
  r = val[f, m] / b
  printf "| %s | %s | %.2f: %s |\n", label, min, r, (r >= min ? "**met**" : "**not met**") }
/^# machine/ { machine = $2; next }
/^# started/ { started = $2; load0 = $3; next }
/^# finished/ { finished = $2; load1 = $3; next }
/^# command/ { command = $2; next }
/^figure\t/ { next }
{ n++; fig[n] = $1; mode[n] = $2; val[$1, $2] = $3; unit[n] = $4; gen[n] = $5; dp[n] = $6; other[n] = $7; soft[n] = $8; note[$1, $2] = $9 }
END {
  printf "Machine: %s. Run %s to %s (load average %s at the start, %s at the end).\n\n", machine, started, finished, load0, load1
  printf "```sh\n%s\n```\n\n", command
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
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", fig_title(f), mode_title(m), v == "" ? "n/a" : num(v) " " unit[i], r, gen[i], dp[i], other[i], soft[i], note[f, m]
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
  target("new connections/s vs iptables DNAT", "http-cps", "isthmus", "iptables", 1.0)
  target("new connections/s vs nftables DNAT", "http-cps", "isthmus", "nftables", 1.0)
}' "$1"
