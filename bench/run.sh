#!/usr/bin/env bash
# bench/run.sh [--quick]: runs every benchmark of BENCHMARKS.md against the Litsxg reference
# server and ngircd, writes the raw results to bench/results/ and draws bench/throughput-latency.png.
#
# Needs: Java 17 and Maven (./litsxg builds the jar), ngircd (Debian package `ngircd`), gnuplot
# (`gnuplot-nox`). Only loopback addresses are used (127.0.0.1 and 127.0.0.2+ as client source
# addresses). Every step ends by itself: each benchmark bounds its set-up and its load in time.
# --quick: fewer and shorter runs (a smoke test of the whole pipeline, not figures to quote),
# written to a temporary directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
quick=false
[ "${1:-}" = "--quick" ] && quick=true
out="$here/results"
png="$here/throughput-latency.png"
if $quick; then # never overwrites the figures that BENCHMARKS.md quotes
  out="$(mktemp -d /tmp/litsxg-bench-quick.XXXXXX)"
  png="$out/throughput-latency.png"
fi
mkdir -p "$out"

for tool in ngircd gnuplot; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "bench/run.sh: $tool is missing (apt-get install ngircd gnuplot-nox)" >&2; exit 2; }
done

# A shell that starts this script in the background without job control makes it ignore SIGINT,
# and so every server it starts: the conformance suite's SIGINT scenarios would then fail.
if [ "$(( 0x$(awk '/^SigIgn:/ {print $2}' /proc/self/status) & 2 ))" != 0 ]; then
  echo "bench/run.sh: warning: SIGINT is ignored here (started in the background?); (f) will fail its SIGINT scenarios" >&2
fi

# The server process holds one descriptor per connection: take the whole hard limit.
ulimit -n "$(ulimit -Hn)"

# Other work on a small machine disturbs the figures. As root, give the benchmark (the
# generator and both servers alike) the scheduler's preference; its own autogroup too, since
# with autogroups nice acts only within one session.
prio=()
if [ "$(id -u)" = 0 ]; then
  echo -10 > /proc/self/autogroup 2>/dev/null || true
  prio=(nice -n -10)
fi

# The Litsxg server's JVM options for every benchmark (see BENCHMARKS.md, "Server JVM options").
server_jvm=(--jvm-opt=-XX:+UseSerialGC --jvm-opt=-Xms16m --jvm-opt=-XX:MinHeapFreeRatio=10 --jvm-opt=-XX:MaxHeapFreeRatio=30)

"$root/litsxg" --version >/dev/null # builds the jar if it is stale
jar="$root/src/target/litsxg.jar"
bench() { "${prio[@]}" java -jar "$jar" bench "$@"; }

if $quick; then repeat=1; seconds=3; warmup=1; runs=3; scale=2000; rcpt=1000; else repeat=5; seconds=10; warmup=3; runs=21; scale=50000; rcpt=10000; fi

stamp() { echo "== $* ($(date -u +%FT%TZ); load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
{
  echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
  echo "java: $(java -version 2>&1 | head -1); ngircd: $(/usr/sbin/ngircd --version 2>/dev/null | head -1)"
  echo "file limit (hard): $(ulimit -Hn)"
} > "$out/machine.txt"
cat "$out/machine.txt"

rm -f "$out/load.csv" "$out/scale.csv" "$out/queues.csv"
rm -rf "$out/hgrm"

stamp "(a) throughput and (b) latency at 50,000 msg/s"
bench load --clients 1000 --size 64 --rate 0,50000 --repeat "$repeat" --seconds "$seconds" --warmup "$warmup" \
  "${server_jvm[@]}" --csv "$out/load.csv" --hgrm "$out/hgrm" | tee "$out/load.txt" || true

stamp "(c) connection scale"
bench scale --count "$scale" --hold 10 "${server_jvm[@]}" --csv "$out/scale.csv" | tee "$out/scale.txt" || true

stamp "(d) offline queues"
bench queues --recipients "$rcpt" --per-recipient 100 "${server_jvm[@]}" --csv "$out/queues.csv" | tee "$out/queues.txt" || true

stamp "(e) start-up time to listening"
bench startup --runs "$runs" --cds "${server_jvm[@]}" | tee "$out/startup.txt" || true

if ! $quick; then
  stamp "(f) the full conformance suite"
  start=$(date +%s.%N)
  "${prio[@]}" "$root/litsxg" conformance > "$out/conformance.log" 2>&1 && rc=0 || rc=$?
  end=$(date +%s.%N)
  printf 'conformance suite: exit %s, wall %.1f s\n' "$rc" "$(echo "$end - $start" | bc)" | tee "$out/conformance.txt"
  tail -3 "$out/conformance.log" | tee -a "$out/conformance.txt"
fi

stamp "plot"
"$here/plot.sh" "$out" "$png"
echo "results in $out; plot in $png"
