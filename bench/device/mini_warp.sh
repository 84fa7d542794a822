#!/usr/bin/env bash
# mini_warp: on a GPU host where warp.so cannot be carried (300 MB; this
# workplace's device tool takes 64 MiB), builds a stand-in at
# SITE/warp/bin/warp.so from Warp's own shipped sources: the CPU block
# runtime (native/cpu_block_runtime.cpp, cpu_fiber.cpp) and the half- and
# bfloat16 conversions of native/warp.cpp and builtin.h, which is all the run tier's CPU side
# calls. The geometry and texture constructors are stubs that make no object: geometry and texture
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
	echo '#include <string.h>'
	echo '#define CUDA_CALLABLE'
	# bfloat16 conversions as builtin.h writes them (warp.cpp calls these)
	awk '/^inline CUDA_CALLABLE unsigned short wp_float_to_bfloat16_bits_sw/ { on = 1 } on { print } on && /^}/ { if (++c == 2) exit }' "$N/builtin.h"
	echo 'extern "C" {'
	awk '/^uint16_t wp_float_to_half_bits/ { on = 1 } on { print } on && /^}/ { if (++c == 2) exit }' "$N/warp.cpp"
	echo 'uint16_t wp_float_to_bfloat16_bits(float x) { return wp_float_to_bfloat16_bits_sw(x); }'
	echo 'float wp_bfloat16_bits_to_float(uint16_t u) { return wp_bfloat16_bits_to_float_sw(u); }'
	for f in wp_mesh_create_host wp_bvh_create_host wp_hash_grid_create_host wp_volume_from_tiles_host wp_texture_create_host; do
		echo "uint64_t $f() { return 0; }"
	done
	for f in wp_mesh_destroy_host wp_bvh_destroy_host wp_hash_grid_update_host wp_hash_grid_destroy_host wp_volume_destroy_host wp_texture_destroy_host; do
		echo "void $f() {}"
	done
	echo 'void _wp_assert(const char *, const char *, unsigned int) { __builtin_trap(); }'
	echo '}'
} >"$T/mini.cpp"
g++ -std=c++17 -O2 -fPIC -shared -DWP_ENABLE_CUDA=0 -I"$N" -o "$out" "$T/mini.cpp" "$N/cpu_block_runtime.cpp" "$N/cpu_fiber.cpp"
rm -rf "$T"
echo "mini_warp: built $out"
