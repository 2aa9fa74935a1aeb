# Sourced by scripts/test and scripts/run: the compiler cache and the per-TU timing log.
# Sets strata_cmake_args (extra `cmake --preset` arguments) and exports ccache's settings.
#
# ccache (Debian package `ccache`, installed by scripts/bootstrap) is used when present.
# Its cache lives OUTSIDE the work tree, so every clone on the machine shares it (CI's
# fresh clone in another folder hits what a developer's worktree compiled): base_dir is
# this checkout and hash_dir is off, so the absolute paths of two checkouts hash alike.
# Set CCACHE_DISABLE=1 to build without it, CCACHE_DIR to put the cache elsewhere.
# STRATA_TU_TIME=1 puts cmake/tu_time.sh in front of the compiler and the linker; after
# the build, `scripts/tu-report build/<preset>` lists the costliest translation units.
strata_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
strata_launcher=()
if [[ "${STRATA_TU_TIME:-0}" == 1 ]]; then
  strata_launcher+=("$strata_root/cmake/tu_time.sh")
fi
if command -v ccache >/dev/null 2>&1; then
  if [[ -z "${CCACHE_DIR:-}" ]]; then
    if [[ $(id -u) -eq 0 ]]; then
      export CCACHE_DIR=/var/cache/strata-ccache
    else
      export CCACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/strata-ccache
    fi
  fi
  export CCACHE_BASEDIR=$strata_root
  export CCACHE_NOHASHDIR=1
  # The dev preset precompiles headers (STRATA_PCH, cmake/strata_pch.cmake); ccache caches
  # a unit that uses a precompiled header, and the header itself, only when told to trust
  # its defines and __TIME__/__DATE__ (it cannot see into the .gch). Without this, every
  # such unit misses the cache.
  for strata_sloppy in pch_defines time_macros; do
    if [[ ",${CCACHE_SLOPPINESS:-}," != *,$strata_sloppy,* ]]; then
      export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:+$CCACHE_SLOPPINESS,}$strata_sloppy
    fi
  done
  strata_launcher+=(ccache)
fi
# (The linker launcher is set only for timing; an `[[ ]] && echo` here would end a
# `set -e` caller when the test is false.)
strata_linker_launcher=""
if [[ "${STRATA_TU_TIME:-0}" == 1 ]]; then strata_linker_launcher="$strata_root/cmake/tu_time.sh"; fi
strata_cmake_args=(
  "-DCMAKE_CXX_COMPILER_LAUNCHER=$(IFS=';'; echo "${strata_launcher[*]}")"
  "-DCMAKE_CXX_LINKER_LAUNCHER=$strata_linker_launcher"
)
