#!/usr/bin/env bash
# Draws the ratios of a dataplanes.sh run (results.tsv) to each figure's kernel reference as a
# PNG bar chart with gnuplot (Debian: gnuplot-nox): one group of bars per figure, one bar per
# dataplane; a missing bar is a cell that was n/a or skipped in that run.
#   benchmarks/harness/chart.sh results.tsv chart.png
set -euo pipefail
[ $# -eq 2 ] && [ -f "$1" ] || { echo "usage: $0 results.tsv chart.png" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "chart: needs gnuplot (Debian: gnuplot-nox)" >&2; exit 1; }
data=$(mktemp)
trap 'rm -f "$data"' EXIT
modes="kernel kernel-offload iptables nftables ovs isthmus"
awk -F'\t' -v modes="$modes" '
function baseline(f) { return f ~ /^pps-pod/ ? "kernel" : f ~ /^pps-cip/ ? "iptables" : f == "tcp" ? "kernel-offload" : "iptables" }
function label(f) {
  if (f ~ /^pps-pod-/) return "pod→pod pps\\n" substr(f, 9) " flow" (substr(f, 9) == "1" ? "" : "s")
  if (f ~ /^pps-cip-/) return "pod→ClusterIP pps\\n" substr(f, 9) " flow" (substr(f, 9) == "1" ? "" : "s")
  if (f == "tcp") return "TCP Gbps\\n(ref: offloads on)"
  if (f == "http-rps") return "HTTP req/s\\nkeep-alive"
  if (f == "http-cps") return "HTTP new conn/s"
  return f }
/^#/ || /^figure\t/ { next }
{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } val[$1, $2] = $3 }
END {
  m = split(modes, mode, " ")
  for (i = 1; i <= n; i++) {
    f = order[i]; b = val[f, baseline(f)]
    line = "\"" label(f) "\""
    for (j = 1; j <= m; j++) {
      v = val[f, mode[j]]
      line = line "\t" (v != "" && b != "" && b > 0 ? sprintf("%.3f", v / b) : "-")
    }
    print line
  }
}' "$1" >"$data"
title=$(awk -F'\t' '/^# machine/ { m = $2 } /^# started/ { s = $2; l = $3 } END { printf "%s; %s, load average %s", m, s, l }' "$1")
gnuplot <<GNUPLOT
set terminal pngcairo size 1200,600 font "sans,10" noenhanced
set output "$2"
set title "Ratio to the kernel reference of each figure (higher is better); no bar = n/a or not run\n$title"
set bmargin 5
set datafile separator "\t"
set datafile missing "-"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "ratio to the kernel reference"
set yrange [0:*]
set grid ytics
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lc rgb "#444444"
plot "$data" using 2:xtic(1) title "kernel routing" lc rgb "#9e9e9e", \
     "" using 3 title "kernel, offloads on" lc rgb "#616161", \
     "" using 4 title "iptables DNAT" lc rgb "#ef8a62", \
     "" using 5 title "nftables DNAT" lc rgb "#fddbc7", \
     "" using 6 title "OVS AF_XDP" lc rgb "#67a9cf", \
     "" using 7 title "Isthmus" lc rgb "#1b7837"
GNUPLOT
echo "chart: wrote $2" >&2
