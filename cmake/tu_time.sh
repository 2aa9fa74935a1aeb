#!/usr/bin/env bash
# Compiler/linker launcher that records the CPU time of each build step.
#
#   cmake -B build/x -DCMAKE_CXX_COMPILER_LAUNCHER=$PWD/cmake/tu_time.sh \
#                    -DCMAKE_CXX_LINKER_LAUNCHER=$PWD/cmake/tu_time.sh
#   (chain ccache after it: "-DCMAKE_CXX_COMPILER_LAUNCHER=$PWD/cmake/tu_time.sh;ccache")
#   scripts/tu-report build/x        # the top translation units and links by CPU
#
# Runs the command it is given and appends one line to $STRATA_TU_TIME_LOG (default:
# tu-time.log in the directory the build tool runs in, i.e. the build directory):
#   user+sys seconds <TAB> wall seconds <TAB> compile|link <TAB> output file
# CPU time (user+sys of the command and everything it waited for) is what we compare:
# it holds when other builds share the cores, wall time does not.
set -u
log=${STRATA_TU_TIME_LOG:-$PWD/tu-time.log}
out="?"
kind=link
prev=""
for arg in "$@"; do
  [[ "$prev" == "-o" ]] && out=$arg
  [[ "$arg" == "-c" ]] && kind=compile
  prev=$arg
done
start=$EPOCHREALTIME
"$@"
rc=$?
end=$EPOCHREALTIME
# The shell's own /proc stat holds the CPU time of the children it waited for
# (fields 16 and 17, cutime and cstime, in clock ticks): the command and its descendants.
read -r -a stat </proc/$$/stat
ticks=$(getconf CLK_TCK)
cpu=$(awk -v u="${stat[15]}" -v s="${stat[16]}" -v t="$ticks" 'BEGIN { printf "%.2f", (u + s) / t }')
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
printf '%s\t%s\t%s\t%s\n' "$cpu" "$wall" "$kind" "$out" >>"$log"
exit $rc
