#!/usr/bin/env bash
# bench/plot.sh [RESULTS-DIR [FIGURE-DIR]]: draws the figures of BENCHMARKS.md with gnuplot from
# the raw results of bench/run.sh (default bench/results, figures into bench/), and writes the
# ratio table RESULTS-DIR/ratios.md (the reference / each peer, same run). A figure whose data
# is missing is left out (said on stderr); a server missing from the data is missing from the
# figure and NOT RUN in the table.
#
#   throughput-latency.png  1,000 clients: delivered msg/s (median), latency percentile curves
#   curve-clients.png       delivered msg/s and p99 against the number of clients
#   curve-rate.png          p50/p99/p99.9 against offered rate, one panel per server
#   curve-rss.png           RSS against connections held
#   curve-queue.png         the reference: time and memory as offline queues grow to the cap
#   curve-startup.png       the reference: launch to listening against stored identities
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
res="${1:-$here/results}"
figs="${2:-$here}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$figs"

servers=(litsxg ngircd inspircd ergo)
color() { case "$1" in litsxg) echo '#1f77b4';; ngircd) echo '#d62728';; inspircd) echo '#2ca02c';; *) echo '#9467bd';; esac; }
load=$(sed -n 's/^load average at start: //p' "$res/machine.txt" 2>/dev/null || true)
mode=$(sed -n 's/^mode: //p' "$res/machine.txt" 2>/dev/null || true)
subtitle="loopback, same generator, same run; load average at start ${load:-?}${mode:+; $mode}"
term="set terminal pngcairo size 1500,560 font 'DejaVu Sans,11'"

# median_by: stdin "key<TAB>value" lines; stdout "key<TAB>median<TAB>min<TAB>max<TAB>count".
median_by() {
  sort -t "$(printf '\t')" -k1,1 -k2,2g | awk -F'\t' '
    function flush() { if (n) { m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf "%s\t%s\t%s\t%s\t%d\n", k, m, v[1], v[n], n } }
    NR == 1 || $1 "" != k { flush(); k = $1 ""; n = 0 }
    { v[++n] = $2 }
    END { flush() }'
}
# col FILE NAME: the number of the CSV column called NAME in FILE's header.
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
have() { [ -s "$1" ] && [ "$(wc -l < "$1")" -gt 1 ]; }
present() { awk -F, -v t="$2" -v c="${3:-2}" 'NR > 1 && $c == t {f = 1} END {exit !f}' "$1"; } # FILE TARGET [COLUMN]

# ---- 1,000 clients: throughput bars and latency distributions ----------------------------
if have "$res/load.csv"; then
  d=$(col "$res/load.csv" delivered_per_s)
  awk -F, -v d="$d" 'NR > 1 && $1 == "throughput" {print $2 "\t" $d}' "$res/load.csv" | median_by > "$tmp/tp.tsv"
  : > "$tmp/throughput.dat"
  for t in "${servers[@]}"; do
    awk -F'\t' -v t="$t" -v c="$(printf '%d' "0x$(color "$t" | tr -d '#')")" '$1 == t {print t, $2, c}' "$tmp/tp.tsv" >> "$tmp/throughput.dat"
  done
  strip() { awk '$1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/ {print $1/1000, $4}' "$1"; }
  runs=$(ls "$res"/hgrm/throughput-litsxg-run*.hgrm 2>/dev/null | wc -l)
  {
    echo "$term"
    echo "set output '$figs/throughput-latency.png'"
    echo "set multiplot layout 1,3 title \"Litsxg reference server and its IRC peers, 1,000 clients, 64-byte direct messages\\n$subtitle\""
    echo "set style fill solid 0.8 border -1; set boxwidth 0.6; set grid ytics; unset key"
    echo "set title 'Throughput, as fast as possible (median of $runs runs)'"
    echo "set ylabel 'delivered messages per second'; set yrange [0:*]; set xrange [-0.6:$(wc -l < "$tmp/throughput.dat")-0.4]"
    echo "plot '$tmp/throughput.dat' using 0:2:3:xtic(1) with boxes lc rgb variable, '' using 0:2:(sprintf('%.0f', \$2)) with labels offset 0,1"
    for scen in latency-50000 throughput; do
      if [ "$scen" = latency-50000 ]; then echo "set title 'End-to-end latency at a fixed 50,000 msg/s (every run)'"
      else echo "set title 'End-to-end latency at saturation (every run)'"; fi
      echo "set logscale x; set logscale y; set xrange [1:10000]; set yrange [*:*]"
      echo "set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000)"
      echo "set xlabel 'percentile'; set ylabel 'latency (ms)'; set key top left"
      plot="plot "
      for t in "${servers[@]}"; do
        first=1
        for f in "$res"/hgrm/"$scen-$t"-run*.hgrm; do
          [ -f "$f" ] || continue
          strip "$f" > "$tmp/$(basename "$f" .hgrm).dat"
          if [ $first = 1 ]; then title="title '$t'"; first=0; else title="notitle"; fi
          plot+="'$tmp/$(basename "$f" .hgrm).dat' using 2:1 with lines lw 2 lc rgb '$(color "$t")' $title, "
        done
      done
      [ "$plot" = "plot " ] && plot="plot 1/0 notitle, "
      echo "${plot%, }"
      echo "unset logscale; unset xtics; set xtics; set xlabel ''"
    done
    echo "unset multiplot"
  } > "$tmp/tl.gp"
  gnuplot "$tmp/tl.gp" && echo "wrote $figs/throughput-latency.png"
else
  echo "plot.sh: no $res/load.csv: throughput-latency.png not drawn" >&2
fi

# ---- delivered msg/s and p99 against clients ---------------------------------------------
if have "$res/clients.csv"; then
  d=$(col "$res/clients.csv" delivered_per_s); p=$(col "$res/clients.csv" p99_us); c=$(col "$res/clients.csv" clients)
  for t in "${servers[@]}"; do
    present "$res/clients.csv" "$t" || continue
    awk -F, -v t="$t" -v c="$c" -v d="$d" 'NR > 1 && $2 == t {print $c "\t" $d}' "$res/clients.csv" | median_by | sort -g > "$tmp/cl-tp-$t.tsv"
    awk -F, -v t="$t" -v c="$c" -v p="$p" 'NR > 1 && $2 == t {print $c "\t" $p / 1000}' "$res/clients.csv" | median_by | sort -g > "$tmp/cl-p99-$t.tsv"
  done
  {
    echo "$term"
    echo "set output '$figs/curve-clients.png'"
    echo "set multiplot layout 1,2 title \"Direct messages as fast as possible against the number of clients (median of runs)\\n$subtitle\""
    echo "set grid; set logscale x; set xlabel 'clients (connections)'; set key top right; set datafile separator '\t'"
    echo "set title 'Delivered messages per second'; set ylabel 'msg/s'; set yrange [0:*]"
    plot="plot "
    for t in "${servers[@]}"; do [ -f "$tmp/cl-tp-$t.tsv" ] && plot+="'$tmp/cl-tp-$t.tsv' using 1:2 with linespoints lw 2 pt 7 lc rgb '$(color "$t")' title '$t', "; done
    echo "${plot%, }"
    echo "set title 'End-to-end latency p99'; set ylabel 'ms'; set logscale y; set yrange [*:*]"
    plot="plot "
    for t in "${servers[@]}"; do [ -f "$tmp/cl-p99-$t.tsv" ] && plot+="'$tmp/cl-p99-$t.tsv' using 1:2 with linespoints lw 2 pt 7 lc rgb '$(color "$t")' title '$t', "; done
    echo "${plot%, }"
    echo "unset multiplot"
  } > "$tmp/cl.gp"
  gnuplot "$tmp/cl.gp" && echo "wrote $figs/curve-clients.png"
else
  echo "plot.sh: no $res/clients.csv: curve-clients.png not drawn" >&2
fi

# ---- latency percentiles against offered rate, per server --------------------------------
if have "$res/rates.csv"; then
  r=$(col "$res/rates.csv" rate); d=$(col "$res/rates.csv" delivered_per_s)
  shown=()
  for t in "${servers[@]}"; do
    present "$res/rates.csv" "$t" || continue
    shown+=("$t")
    for q in p50_us p99_us p999_us; do
      k=$(col "$res/rates.csv" "$q")
      awk -F, -v t="$t" -v r="$r" -v k="$k" 'NR > 1 && $2 == t {print $r "\t" $k / 1000}' "$res/rates.csv" | median_by | sort -g > "$tmp/rt-$q-$t.tsv"
    done
    awk -F, -v t="$t" -v r="$r" -v d="$d" 'NR > 1 && $2 == t {print $r "\t" $d}' "$res/rates.csv" | median_by | sort -g > "$tmp/rt-d-$t.tsv"
  done
  {
    echo "$term"
    echo "set output '$figs/curve-rate.png'"
    echo "set multiplot layout 1,${#shown[@]} title \"End-to-end latency against offered rate, 1,000 clients (median of runs)\\n$subtitle\""
    echo "set grid; set logscale y; set xlabel 'offered msg/s'; set ylabel 'latency (ms)'; set key bottom right; set datafile separator '\t'"
    echo "set format x '%.0s%c'"
    # one latency scale for every panel, so that the servers compare at a glance
    lo=$(cat "$tmp"/rt-p50_us-*.tsv | awk -F'\t' 'NR == 1 || $2 < m {m = $2} END {print (m > 0 ? m / 2 : 0.01)}')
    hi=$(cat "$tmp"/rt-p999_us-*.tsv | awk -F'\t' '$2 > m {m = $2} END {print m * 2}')
    echo "set yrange [$lo:$hi]"
    for t in "${shown[@]}"; do
      echo "set title '$t'"
      echo "plot '$tmp/rt-p50_us-$t.tsv' using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'p50', \
        '$tmp/rt-p99_us-$t.tsv' using 1:2 with linespoints lw 2 pt 7 lc rgb '#ff7f0e' title 'p99', \
        '$tmp/rt-p999_us-$t.tsv' using 1:2 with linespoints lw 2 pt 7 lc rgb '#d62728' title 'p99.9'"
    done
    echo "unset multiplot"
  } > "$tmp/rt.gp"
  gnuplot "$tmp/rt.gp" && echo "wrote $figs/curve-rate.png"
else
  echo "plot.sh: no $res/rates.csv: curve-rate.png not drawn" >&2
fi

# ---- RSS against connections held --------------------------------------------------------
if have "$res/scale-curve.csv"; then
  {
    echo "$term"
    echo "set output '$figs/curve-rss.png'"
    echo "set multiplot layout 1,2 title \"Server memory against idle authenticated connections held\\n$subtitle\""
    echo "set grid; set key top left; set datafile separator ','; set xlabel 'connections held'"
    echo "set title 'Resident memory (RSS)'; set ylabel 'MiB'"
    plot="plot "
    for t in "${servers[@]}"; do
      present "$res/scale-curve.csv" "$t" 1 || continue
      awk -F, -v t="$t" 'NR > 1 && $1 == t' "$res/scale-curve.csv" > "$tmp/rss-$t.csv"
      plot+="'$tmp/rss-$t.csv' using 2:(\$3/1024) with linespoints lw 2 pt 7 lc rgb '$(color "$t")' title '$t', "
    done
    echo "${plot%, }"
    echo "set title 'RSS growth per connection held (from the first point)'; set ylabel 'bytes per connection'; set yrange [0:*]"
    plot="plot "
    for t in "${servers[@]}"; do
      [ -s "$tmp/rss-$t.csv" ] || continue
      base=$(head -1 "$tmp/rss-$t.csv" | cut -d, -f3)
      plot+="'$tmp/rss-$t.csv' using 2:(\$2 > 0 ? (\$3-$base)*1024/\$2 : 1/0) with linespoints lw 2 pt 7 lc rgb '$(color "$t")' title '$t', "
    done
    echo "${plot%, }"
    echo "unset multiplot"
  } > "$tmp/rss.gp"
  gnuplot "$tmp/rss.gp" && echo "wrote $figs/curve-rss.png"
else
  echo "plot.sh: no $res/scale-curve.csv: curve-rss.png not drawn" >&2
fi

# ---- the reference alone: offline queues growing to the cap -------------------------------
if have "$res/queues-curve.csv"; then
  rc=$(awk -F, 'NR == 2 {print $1}' "$res/queues-curve.csv")
  {
    echo "$term"
    echo "set output '$figs/curve-queue.png'"
    echo "set multiplot layout 1,2 title \"Litsxg: offline queues of $rc recipients growing to the cap (64-byte messages)\\n$subtitle\""
    echo "set grid; set key top left; set datafile separator ','; set xlabel 'messages queued per recipient'"
    echo "set title 'Time spent queueing (cumulative)'; set ylabel 's'"
    echo "plot '$res/queues-curve.csv' every ::1 using 2:4 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'time'"
    echo "set title 'Server memory'; set ylabel 'MiB'"
    echo "plot '$res/queues-curve.csv' every ::1 using 2:(\$5/1024) with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'live heap after GC', \
      '' every ::1 using 2:(\$6/1024) with linespoints lw 2 pt 5 lc rgb '#ff7f0e' title 'RSS'"
    echo "unset multiplot"
  } > "$tmp/q.gp"
  gnuplot "$tmp/q.gp" && echo "wrote $figs/curve-queue.png"
else
  echo "plot.sh: no $res/queues-curve.csv: curve-queue.png not drawn" >&2
fi

# ---- the reference alone: start-up against stored identities ------------------------------
if have "$res/identities.csv"; then
  label=$(awk -F, 'NR == 2 {print $1}' "$res/identities.csv")
  awk -F, 'NR > 1 {print $2 "\t" $4}' "$res/identities.csv" | median_by | sort -g > "$tmp/id.tsv"
  {
    echo "$term"
    echo "set output '$figs/curve-startup.png'"
    echo "set title \"Litsxg ($label): launch to listening against stored identities (median; bars: min to max)\\n$subtitle\""
    echo "set grid; set datafile separator '\t'; set xlabel 'identities in identities.db'; set ylabel 'ms'; set yrange [0:*]"
    echo "set logscale x; set xrange [0.5:*]"
    echo "set label 1 'the point at 0 identities is drawn at 1' at graph 0.02, graph 0.95"
    echo "plot '$tmp/id.tsv' using (\$1 > 0 ? \$1 : 1):2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#1f77b4' notitle"
  } > "$tmp/id.gp"
  gnuplot "$tmp/id.gp" && echo "wrote $figs/curve-startup.png"
else
  echo "plot.sh: no $res/identities.csv: curve-startup.png not drawn" >&2
fi

# ---- the ratio table ---------------------------------------------------------------------
# value FILE SCENARIO-COLUMN SCENARIO TARGET-COLUMN TARGET VALUE-COLUMN: the median over runs.
value() {
  local f="$1" sc="$2" s="$3" tc="$4" t="$5" vc="$6"
  [ -s "$f" ] || { echo ""; return; }
  awk -F, -v sc="$sc" -v s="$s" -v tc="$tc" -v t="$t" -v vc="$vc" \
    'NR > 1 && (sc == 0 || $sc == s) && $tc == t && $vc != "" {print "x\t" $vc}' "$f" | median_by | cut -f2
}
{
  echo "# Ratios: the reference / each peer, same run"
  echo
  sed 's/^/    /' "$res/machine.txt" 2>/dev/null || true
  echo
  printf '| figure | better |'
  for t in "${servers[@]}"; do printf ' %s |' "$t"; done
  for t in "${servers[@]:1}"; do printf ' litsxg/%s |' "$t"; done
  echo
  printf '|---|---|'; for _ in "${servers[@]}" "${servers[@]:1}"; do printf -- '---:|'; done; echo
  row() { # row TITLE BETTER SCALE FILE SC S TC VC: one table line from median values (value/SCALE)
    local title="$1" better="$2" scale="$3" f="$4" sc="$5" s="$6" tc="$7" vc="$8" ref v
    printf '| %s | %s |' "$title" "$better"
    declare -A vals=()
    for t in "${servers[@]}"; do
      v=$(value "$f" "$sc" "$s" "$tc" "$t" "$vc")
      vals[$t]="$v"
      if [ -n "$v" ]; then printf ' %s |' "$(awk -v v="$v" -v k="$scale" 'BEGIN {x = v / k; printf (x >= 100 ? "%.0f" : "%.3g"), x}')"; else printf ' NOT RUN |'; fi
    done
    ref="${vals[litsxg]}"
    for t in "${servers[@]:1}"; do
      v="${vals[$t]}"
      if [ -n "$ref" ] && [ -n "$v" ] && awk -v v="$v" 'BEGIN {exit !(v != 0)}'; then
        printf ' %s |' "$(awk -v a="$ref" -v b="$v" 'BEGIN {printf "%.2f", a / b}')"
      else printf ' - |'; fi
    done
    echo
  }
  L="$res/load.csv"
  if [ -s "$L" ]; then
    row "delivered msg/s, 1,000 clients, as fast as possible" higher 1 "$L" 1 throughput 2 "$(col "$L" delivered_per_s)"
    row "p99 at saturation (ms)" lower 1000 "$L" 1 throughput 2 "$(col "$L" p99_us)"
    row "delivered msg/s at a fixed 50,000 msg/s" higher 1 "$L" 1 latency-50000 2 "$(col "$L" delivered_per_s)"
    row "p50 at 50,000 msg/s (ms)" lower 1000 "$L" 1 latency-50000 2 "$(col "$L" p50_us)"
    row "p99 at 50,000 msg/s (ms)" lower 1000 "$L" 1 latency-50000 2 "$(col "$L" p99_us)"
    row "p99.9 at 50,000 msg/s (ms)" lower 1000 "$L" 1 latency-50000 2 "$(col "$L" p999_us)"
    row "server RSS during the load, 1,000 clients (MiB)" lower 1024 "$L" 1 throughput 2 "$(col "$L" rss_kib)"
  fi
  C="$res/clients.csv"
  if [ -s "$C" ]; then
    most=$(awk -F, -v c="$(col "$C" clients)" 'NR > 1 && $c > m {m = $c} END {print m}' "$C")
    row "delivered msg/s, $most clients" higher 1 "$C" 1 "clients-c$most" 2 "$(col "$C" delivered_per_s)"
    row "p99 at saturation, $most clients (ms)" lower 1000 "$C" 1 "clients-c$most" 2 "$(col "$C" p99_us)"
  fi
  S="$res/scale.csv"
  if [ -s "$S" ]; then
    row "idle authenticated connections held" higher 1 "$S" 0 "" 1 "$(col "$S" held)"
    row "RSS per connection, average (bytes)" lower 1 "$S" 0 "" 1 "$(col "$S" rss_per_conn_bytes)"
    row "RSS per connection, last step only (bytes)" lower 1 "$S" 0 "" 1 "$(col "$S" rss_marginal_bytes)"
  fi
  U="$res/startup.csv"
  if [ -s "$U" ]; then
    row "launch to listening, plain (ms)" lower 1 "$U" 0 "" 1 "$(col "$U" listen_ms)"
    printf '| launch to listening, litsxg with its class-data archive (ms) | lower | %s | | | | | | |\n' \
      "$(value "$U" 0 "" 1 litsxg+cds "$(col "$U" listen_ms)")"
  fi
  echo
  echo "Medians over the runs of each figure; raw rows in the CSV files beside this table. NOT RUN: the server is not installed here (see each benchmark's output)."
} > "$res/ratios.md"
echo "wrote $res/ratios.md"
