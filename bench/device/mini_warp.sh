#!/usr/bin/env bash
# mini_warp: on a GPU host where warp.so cannot be carried (300 MB; this
# workplace's device tool takes 64 MiB), builds a stand-in at
# SITE/warp/bin/warp.so from Warp's own shipped sources: the CPU block
# runtime (native/cpu_block_runtime.cpp, cpu_fiber.cpp) and the half-float
# conversions of native/warp.cpp, which is all the run tier's CPU side
# calls. The geometry constructors are stubs that make no object: geometry
# kernels crash on the CPU side there and are not compared on the GPU.
# A real installation has warp.so and never needs this.
#   usage: mini_warp.sh SITE   (the directory holding the warp package)
set -euo pipefail
site=$1
N=$site/warp/native
out=$site/warp/bin/warp.so
[ -e "$out" ] && exit 0
mkdir -p "$site/warp/bin"
T=$(mktemp -d)
{
	echo '#include <stdint.h>'
	echo 'extern "C" {'
	awk '/^uint16_t wp_float_to_half_bits/ { on = 1 } on { print } on && /^}/ { if (++c == 2) exit }' "$N/warp.cpp"
	for f in wp_mesh_create_host wp_bvh_create_host wp_hash_grid_create_host wp_volume_from_tiles_host; do
		echo "uint64_t $f() { return 0; }"
	done
	for f in wp_mesh_destroy_host wp_bvh_destroy_host wp_hash_grid_update_host wp_hash_grid_destroy_host wp_volume_destroy_host; do
		echo "void $f() {}"
	done
	echo 'void _wp_assert(const char *, const char *, unsigned int) { __builtin_trap(); }'
	echo '}'
} >"$T/mini.cpp"
g++ -std=c++17 -O2 -fPIC -shared -DWP_ENABLE_CUDA=0 -I"$N" -o "$out" "$T/mini.cpp" "$N/cpu_block_runtime.cpp" "$N/cpu_fiber.cpp"
rm -rf "$T"
echo "mini_warp: built $out"
