/* types: the Warp type model (see types.h). Everything here is a constant
 * table lookup; the random spelling choice is the only input. */
#include "gen/types.h"

int wty_is_float(wty t) { return t == WT_F32 || t == WT_F64; }
int wty_is_scalar(wty t) { return t == WT_F32 || t == WT_F64 || t == WT_I32; }
int wty_is_vec(wty t) { return t >= WT_V2 && t <= WT_V4; }
int wty_is_mat(wty t) { return t >= WT_M22 && t <= WT_M44; }

int wty_dim(wty t)
{
	switch (t) {
	case WT_V2: case WT_M22: return 2;
	case WT_V3: case WT_M33: return 3;
	case WT_V4: case WT_M44: case WT_QUAT: return 4;
	case WT_SPATIAL: return 6;
	case WT_XFORM: return 7;
	default: return 1;
	}
}

wty wty_vec(int dim) { return dim == 2 ? WT_V2 : dim == 3 ? WT_V3 : WT_V4; }
wty wty_mat(int dim) { return dim == 2 ? WT_M22 : dim == 3 ? WT_M33 : WT_M44; }

const char *wty_spell(wty t, rng *r)
{
	/* Both spellings of a scalar mean the same type to Warp. */
	int alt = r && rng_chance(r, 0.3);
	switch (t) {
	case WT_F32: return alt ? "wp.float32" : "float";
	case WT_F64: return "wp.float64";
	case WT_I32: return alt ? "wp.int32" : "int";
	case WT_BOOL: return "bool";
	case WT_V2: return "wp.vec2";
	case WT_V3: return "wp.vec3";
	case WT_V4: return "wp.vec4";
	case WT_M22: return "wp.mat22";
	case WT_M33: return "wp.mat33";
	case WT_M44: return "wp.mat44";
	case WT_QUAT: return "wp.quat";
	case WT_XFORM: return "wp.transform";
	case WT_SPATIAL: return "wp.spatial_vector";
	default: return "float";
	}
}

static int wty_count(wtyset s)
{
	int n = 0;
	for (; s; s &= s - 1)
		n++;
	return n;
}

wty wty_pick(rng *r, wtyset s)
{
	int k = (int)rng_below(r, (uint32_t)wty_count(s));
	for (int t = 0; t < WT_COUNT; t++)
		if ((s & WT_BIT(t)) && k-- == 0)
			return (wty)t;
	return WT_F32;
}
