/* vocab_real: the domains of the realistic style (style.h): entities,
 * attributes with their types, named scalar parameters, helper names and
 * docstrings, one table per code base a kernel could come from. Data only. */
#include "gen/style.h"

#define F(n, t, l)                                                                                           \
	{                                                                                                    \
		n, t, l                                                                                      \
	}

static const char *const rigid_ent[] = {"body", "link", "shape", "joint", "rigid", NULL};
static const char *const rigid_verbs[] = {"integrate", "update",  "apply",     "compute",    "eval",
					  "solve",     "reset",	  "transform", "accumulate", "clamp",
					  "damp",      "project", NULL};
static const char *const rigid_sf[] = {"dt", "angular_damping", "linear_damping", "max_speed", "ke",
				       "kd", "friction",	"restitution",	  "inv_dt",    "scale",
				       NULL};
static const char *const rigid_sv[] = {"gravity", "up_axis", "offset", "com_offset", NULL};
static const char *const rigid_help[] = {"integrate_rotation",
					 "velocity_at_point",
					 "transform_twist",
					 "compute_torque",
					 "spatial_cross",
					 "quat_twist",
					 NULL};
static const char *const rigid_docs[] = {"Integrates the %s states over one time step.",
					 "Computes the world-space pose of each %s.",
					 "Applies external forces and torques to each %s.", NULL};
static const rfield rigid_fields[] = {
    F("q", RT_XFORM, "X"),
    F("qd", RT_VEC3, "v"),
    F("com", RT_VEC3, "com"),
    F("mass", RT_FLOAT, "m"),
    F("inv_mass", RT_FLOAT, "inv_m"),
    F("f", RT_VEC3, "f"),
    F("torque", RT_VEC3, "t"),
    F("rot", RT_QUAT, "r"),
    F("pos", RT_VEC3, "p"),
    F("inertia", RT_MAT33, "I"),
    F("inv_inertia", RT_MAT33, "inv_I"),
    F("w", RT_VEC3, "w"),
    F("X_wb", RT_XFORM, "X_wb"),
    F("parent", RT_INT, "parent"),
    F("type", RT_INT, "kind"),
    F("scale", RT_FLOAT, "s"),
    {0},
};

static const char *const part_ent[] = {"particle", "point", "grain", "sphere", NULL};
static const char *const part_verbs[] = {"integrate", "update", "advect", "apply", "compute", "eval",
					 "reset",     "damp",	"bounce", "clamp", "scatter", NULL};
static const char *const part_sf[] = {"dt", "damping", "radius",   "max_velocity",    "drag", "ke",
				      "kd", "mu",      "cohesion", "particle_radius", NULL};
static const char *const part_sv[] = {"gravity", "wind", "bounds_lower", "bounds_upper", NULL};
static const char *const part_help[] = {"apply_gravity", "collide_plane", "limit_velocity",
					"contact_force", "kernel_weight", NULL};
static const char *const part_docs[] = {"Semi-implicit Euler step for each %s.",
					"Accumulates forces on each %s.", "Keeps each %s inside the domain.",
					NULL};
static const rfield part_fields[] = {
    F("q", RT_VEC3, "x"),
    F("qd", RT_VEC3, "v"),
    F("f", RT_VEC3, "f"),
    F("mass", RT_FLOAT, "m"),
    F("inv_mass", RT_FLOAT, "w"),
    F("radius", RT_FLOAT, "r"),
    F("flags", RT_INT, "flags"),
    F("x", RT_VEC3, "x"),
    F("v", RT_VEC3, "v"),
    F("color", RT_VEC3, "color"),
    F("density", RT_FLOAT, "rho"),
    F("age", RT_FLOAT, "age"),
    {0},
};

static const char *const cloth_ent[] = {"cloth", "tri", "edge", "spring", "vertex", "bend", NULL};
static const char *const cloth_verbs[] = {"eval",  "solve",   "apply",	"compute", "accumulate",
					  "relax", "project", "update", NULL};
static const char *const cloth_sf[] = {"dt",	     "stiffness",   "ke",     "kd",	"k_bend",
				       "relaxation", "rest_length", "k_lift", "k_drag", NULL};
static const char *const cloth_sv[] = {"wind", "gravity", NULL};
static const char *const cloth_help[] = {"spring_force", "triangle_normal", "bending_energy",
					 "edge_length",	 "damped_spring",   NULL};
static const char *const cloth_docs[] = {"Evaluates the %s forces (Hooke's law with damping).",
					 "One Jacobi iteration over the %s constraints.", NULL};
static const rfield cloth_fields[] = {
    F("x", RT_VEC3, "x"),	    F("v", RT_VEC3, "v"),	   F("rest_length", RT_FLOAT, "rest"),
    F("stiffness", RT_FLOAT, "ke"), F("damping", RT_FLOAT, "kd"),  F("area", RT_FLOAT, "area"),
    F("normal", RT_VEC3, "n"),	    F("pose", RT_MAT33, "Dm"),	   F("indices", RT_INT, "i"),
    F("delta", RT_VEC3, "dx"),	    F("angle", RT_FLOAT, "theta"), {0},
};

static const char *const contact_ent[] = {"contact", "rigid_contact", "soft_contact",
					  "pair",    "collision",     NULL};
static const char *const contact_verbs[] = {"eval",    "solve", "compute",  "handle", "apply",
					    "resolve", "count", "generate", NULL};
static const char *const contact_sf[] = {
    "dt", "ke", "kd", "kf", "mu", "margin", "restitution", "contact_ke", "contact_kd", "thickness", NULL};
static const char *const contact_sv[] = {"gravity", NULL};
static const char *const contact_help[] = {"contact_force", "friction_force", "penetration_depth",
					   "normal_impulse", NULL};
static const char *const contact_docs[] = {"Penalty-based %s forces with Coulomb friction.",
					   "Applies the impulse of each %s to both bodies.", NULL};
static const rfield contact_fields[] = {
    F("point", RT_VEC3, "p"),
    F("normal", RT_VEC3, "n"),
    F("depth", RT_FLOAT, "d"),
    F("offset", RT_VEC3, "offset"),
    F("shape", RT_INT, "shape"),
    F("body", RT_INT, "body"),
    F("thickness", RT_FLOAT, "thickness"),
    F("impulse", RT_VEC3, "impulse"),
    F("force", RT_VEC3, "f"),
    F("count", RT_INT, "count"),
    F("lambda_n", RT_FLOAT, "lam"),
    {0},
};

static const char *const fluid_ent[] = {"cell", "grid", "voxel", "face", "fluid", NULL};
static const char *const fluid_verbs[] = {"advect", "project",	  "diffuse",  "update",	   "compute",
					  "apply",  "divergence", "pressure", "integrate", NULL};
static const char *const fluid_sf[] = {"dt",  "dx",	   "inv_dx",   "viscosity", "density",
				       "rho", "diffusion", "buoyancy", "decay",	    NULL};
static const char *const fluid_sv[] = {"gravity", "origin", NULL};
static const char *const fluid_help[] = {"sample_grid", "lerp_velocity", "cell_pressure", "smooth_kernel",
					 NULL};
static const char *const fluid_docs[] = {"Semi-Lagrangian advection of the %s field.",
					 "Jacobi iteration for the %s pressure.", NULL};
static const rfield fluid_fields[] = {
    F("u", RT_VEC3, "u"),
    F("vel", RT_VEC3, "vel"),
    F("pressure", RT_FLOAT, "p"),
    F("density", RT_FLOAT, "rho"),
    F("div", RT_FLOAT, "div"),
    F("phi", RT_FLOAT, "phi"),
    F("temperature", RT_FLOAT, "T"),
    F("mass", RT_FLOAT, "m"),
    F("pos", RT_VEC3, "pos"),
    {0},
};

static const char *const render_ent[] = {"ray", "pixel", "camera", "light", "hit", "sample", NULL};
static const char *const render_verbs[] = {"trace",   "shade", "render",    "compute", "accumulate",
					   "tonemap", "cast",  "intersect", NULL};
static const char *const render_sf[] = {"fov",	      "aspect",	   "exposure",	"gamma",     "max_dist",
					"near_plane", "far_plane", "intensity", "roughness", NULL};
static const char *const render_sv[] = {"light_dir", "cam_pos", "background", "sky_color", NULL};
static const char *const render_help[] = {"sphere_sdf", "shade_lambert", "reflect",
					  "ray_plane",	"tonemap_aces",	 NULL};
static const char *const render_docs[] = {"Casts one %s per thread and shades the closest hit.",
					  "Accumulates the radiance of each %s.", NULL};
static const rfield render_fields[] = {
    F("origin", RT_VEC3, "ro"),	  F("dir", RT_VEC3, "rd"),
    F("color", RT_VEC3, "color"), F("depth", RT_FLOAT, "depth"),
    F("normal", RT_VEC3, "n"),	  F("weight", RT_FLOAT, "weight"),
    F("pose", RT_XFORM, "pose"),  F("radiance", RT_VEC3, "L"),
    F("t", RT_FLOAT, "t"),	  {0},
};

static const char *const mesh_ent[] = {"mesh", "vertex", "face", "tri", "point", "node", NULL};
static const char *const mesh_verbs[] = {"compute",   "update",	    "deform",	 "smooth", "skin",
					 "transform", "accumulate", "normalize", NULL};
static const char *const mesh_sf[] = {"scale",	   "weight",	"smoothing", "alpha",
				      "thickness", "tolerance", NULL};
static const char *const mesh_sv[] = {"offset", "translation", "center", NULL};
static const char *const mesh_help[] = {"triangle_area", "face_normal", "barycentric_point", "closest_point",
					NULL};
static const char *const mesh_docs[] = {"Computes the %s normals from the face normals.",
					"Deforms each %s by its skinning transform.", NULL};
static const rfield mesh_fields[] = {
    F("points", RT_VEC3, "p"),	    F("normals", RT_VEC3, "n"),
    F("indices", RT_INT, "idx"),    F("weights", RT_FLOAT, "w"),
    F("uv", RT_VEC3, "uv"),	    F("rest", RT_VEC3, "rest"),
    F("transforms", RT_XFORM, "X"), F("area", RT_FLOAT, "area"),
    F("rot", RT_QUAT, "r"),	    {0},
};

static const char *const fem_ent[] = {"element", "node", "tet", "quad", "dof", NULL};
static const char *const fem_verbs[] = {"assemble", "integrate", "eval",  "compute",
					"solve",    "update",	 "apply", NULL};
static const char *const fem_sf[] = {"k_mu", "k_lambda", "k_damp", "youngs", "poisson", "dt", "volume", NULL};
static const char *const fem_sv[] = {"gravity", "body_force", NULL};
static const char *const fem_help[] = {"neo_hookean_stress", "deformation_gradient", "strain_energy",
				       "element_volume", NULL};
static const char *const fem_docs[] = {"Computes the %s forces of a linear FEM model.",
				       "Assembles the %s contributions into the global vector.", NULL};
static const rfield fem_fields[] = {
    F("x", RT_VEC3, "x"),
    F("v", RT_VEC3, "v"),
    F("pose", RT_MAT33, "Dm"),
    F("stress", RT_MAT33, "sigma"),
    F("volume", RT_FLOAT, "vol"),
    F("f", RT_VEC3, "f"),
    F("materials", RT_FLOAT, "k"),
    F("indices", RT_INT, "i"),
    F("strain", RT_MAT33, "eps"),
    F("energy", RT_FLOAT, "psi"),
    {0},
};

static const char *const sensor_ent[] = {"sensor", "imu", "lidar", "joint", "contact_sensor", NULL};
static const char *const sensor_verbs[] = {"read",   "compute",	  "update",	"sample",
					   "filter", "integrate", "accumulate", NULL};
static const char *const sensor_sf[] = {"dt", "noise_scale", "cutoff", "alpha", "max_range", "bias", NULL};
static const char *const sensor_sv[] = {"gravity", "offset", NULL};
static const char *const sensor_help[] = {"low_pass", "add_noise", "world_to_sensor", "range_to_point", NULL};
static const char *const sensor_docs[] = {"Reads each %s in its local frame.",
					  "Filters the %s measurements over one step.", NULL};
static const rfield sensor_fields[] = {
    F("pose", RT_XFORM, "X"),
    F("accel", RT_VEC3, "a"),
    F("gyro", RT_VEC3, "omega"),
    F("reading", RT_FLOAT, "r"),
    F("hit_range", RT_FLOAT, "dist"),
    F("body", RT_INT, "body"),
    F("q", RT_FLOAT, "q"),
    F("qd", RT_FLOAT, "qd"),
    F("rot", RT_QUAT, "r"),
    F("target", RT_FLOAT, "target"),
    {0},
};

#define D(n, e, v, sf, sv, h, doc, st, f)                                                                    \
	{                                                                                                    \
		n, e, v, sf, sv, h, doc, st, f                                                               \
	}
const rdomain style_domains[] = {
    D("rigid", rigid_ent, rigid_verbs, rigid_sf, rigid_sv, rigid_help, rigid_docs, "ModelParams",
      rigid_fields),
    D("particles", part_ent, part_verbs, part_sf, part_sv, part_help, part_docs, "ParticleParams",
      part_fields),
    D("cloth", cloth_ent, cloth_verbs, cloth_sf, cloth_sv, cloth_help, cloth_docs, "ClothParams",
      cloth_fields),
    D("contacts", contact_ent, contact_verbs, contact_sf, contact_sv, contact_help, contact_docs,
      "ContactParams", contact_fields),
    D("fluids", fluid_ent, fluid_verbs, fluid_sf, fluid_sv, fluid_help, fluid_docs, "GridParams",
      fluid_fields),
    D("rendering", render_ent, render_verbs, render_sf, render_sv, render_help, render_docs, "RenderParams",
      render_fields),
    D("meshes", mesh_ent, mesh_verbs, mesh_sf, mesh_sv, mesh_help, mesh_docs, "MeshParams", mesh_fields),
    D("fem", fem_ent, fem_verbs, fem_sf, fem_sv, fem_help, fem_docs, "FemParams", fem_fields),
    D("sensors", sensor_ent, sensor_verbs, sensor_sf, sensor_sv, sensor_help, sensor_docs, "SensorParams",
      sensor_fields),
};
const int style_ndomains = (int)(sizeof style_domains / sizeof *style_domains);

static const char *const loc_f[] = {
    "d",	"c",	       "s",	    "k",	  "w",	      "err",	  "dist",  "t",
    "e",	"l",	       "h",	    "alpha",	  "mag",      "energy",	  "rate",  "damp",
    "distance", "penetration", "stiffness", "weight_sum", "inv_mass", "friction", "speed", NULL};
static const char *const loc_i[] = {"j", "k", "idx", "n", "count", "m", "index", "cell", "slot", NULL};
static const char *const loc_v[] = {"d",	"dir",	   "n",		"dv",	    "dx",     "p",
				    "delta",	"vel",	   "acc",	"f",	    "offset", "axis",
				    "r",	"u",	   "velocity",	"position", "normal", "impulse",
				    "relative", "tangent", "world_pos", NULL};
static const char *const loc_q[] = {"q", "rot", "dq", "r", "q_new", NULL};
static const char *const loc_x[] = {"X", "T", "pose", "xform", "X_new", NULL};
static const char *const loc_m[] = {"R", "A", "M", "F", "K", "J", NULL};
const char *const *style_locals[RT_COUNT] = {loc_f, loc_i, loc_v, loc_q, loc_x, loc_m};

const char *style_type_spell(rtype t, int in_array, unsigned spell)
{
	switch (t) {
	case RT_FLOAT:
		return (spell & (in_array ? RS_SPELL_ARR_F32 : RS_SPELL_F32)) ? "wp.float32" : "float";
	case RT_INT:
		if (in_array)
			return (spell & RS_SPELL_ARR_INT) ? "int" : "wp.int32";
		return (spell & RS_SPELL_I32) ? "wp.int32" : "int";
	case RT_VEC3:
		return "wp.vec3";
	case RT_QUAT:
		return "wp.quat";
	case RT_XFORM:
		return "wp.transform";
	case RT_MAT33:
		return "wp.mat33";
	default:
		return "float";
	}
}
