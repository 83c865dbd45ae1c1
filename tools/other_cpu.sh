#!/usr/bin/env bash
# Runs a command as if on a processor with other caches, to see results that round as they
# would on another machine.
#
#   tools/other_cpu.sh PROFILE COMMAND [ARGS...]
#   tools/other_cpu.sh list
#
# Why: the matrix kernel under Candle and the fused engine (`gemm`) sizes its blocks from the
# caches it finds in /sys/devices/system/cpu/cpu*/cache (level, size, ways, line size). The
# block along the shared dimension sets the order in which a dot product is summed, so two
# processors with other caches (an Intel Xeon and an AMD EPYC, say) round every product a
# little differently, and training amplifies it: the same seed gives other weights. This
# script shows the command a made-up set of caches instead, by mounting copies over those
# folders in a mount namespace of its own; nothing outside the command sees them.
#
# It needs root (or a user namespace that may mount) and `unshare` (util-linux).
set -euo pipefail

# level type size ways line, one cache per line; `shared` L3s are divided by gemm itself.
profile() {
  case "$1" in
    xeon)   # Intel Xeon (Sapphire Rapids): 48K 12-way L1d, 2M 16-way L2
      printf '%s\n' "1 Data 48K 12 64" "1 Instruction 32K 8 64" "2 Unified 2048K 16 64" "3 Unified 107520K 15 64" ;;
    skylake)  # an older Intel desktop: 32K 8-way L1d, 256K 4-way L2
      printf '%s\n' "1 Data 32K 8 64" "1 Instruction 32K 8 64" "2 Unified 256K 4 64" "3 Unified 8192K 16 64" ;;
    epyc)   # AMD EPYC (Zen 4): 32K 8-way L1d, 1M 8-way L2
      printf '%s\n' "1 Data 32K 8 64" "1 Instruction 32K 8 64" "2 Unified 1024K 8 64" "3 Unified 32768K 16 64" ;;
    *) return 1 ;;
  esac
}

if [ "${1:-}" = list ] || [ $# -lt 2 ]; then
  echo "profiles: xeon, skylake, epyc (this machine's caches: see /sys/devices/system/cpu/cpu0/cache)" >&2
  [ "${1:-}" = list ] && exit 0 || exit 2
fi
name="$1"; shift
caches="$(profile "$name")" || { echo "other_cpu.sh: no profile '$name' (try: list)" >&2; exit 2; }
if [ -z "${OTHER_CPU_INSIDE:-}" ]; then
  command -v unshare >/dev/null || { echo "other_cpu.sh needs unshare (Debian: apt-get install util-linux)" >&2; exit 1; }
  exec env OTHER_CPU_INSIDE=1 unshare --mount --propagation private "$0" "$name" "$@"
fi

fake="$(mktemp -d)"
i=0
while read -r level type size ways line; do
  d="$fake/index$i"; mkdir -p "$d"
  echo "$level" > "$d/level"; echo "$type" > "$d/type"; echo "$size" > "$d/size"
  echo "$ways" > "$d/ways_of_associativity"; echo "$line" > "$d/coherency_line_size"
  echo 0 > "$d/shared_cpu_list"
  i=$((i + 1))
done <<<"$caches"
for cache in /sys/devices/system/cpu/cpu[0-9]*/cache; do
  mount --bind "$fake" "$cache"
done
echo "other_cpu.sh: caches of profile '$name' (L1d $(cat "$fake/index0/size"), L2 $(cat "$fake/index2/size"))" >&2
unset OTHER_CPU_INSIDE
exec "$@"
