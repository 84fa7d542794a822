/* stmt: the statements of a body: declarations (single, zero-initialised,
 * tuple), (augmented) assignments, array stores, atomics (arithmetic and
 * bitwise), if/elif/else, and gen_stmt, which draws one statement kind by
 * the profile's weights. Loops are stmt_loop.c's. Locals keep one type for
 * life. */
#include "gen/stmt.h"

#include <string.h>

#include "gen/expr.h"
#include "gen/profiles.h"

/* Local name stems by type; gen_var_add appends a unique number. */
static const char *gen_stem(gen_ctx *c, wty t)
{
	static const char *const fs[] = {"t", "x", "y", "val", "tmp", "s", "u", "f", "r", "h", "a_", "res"};
	static const char *const is[] = {"k", "idx", "m", "cnt", "q", "off"};
	static const char *const vs[] = {"v", "p", "d", "dir", "w", "pos"};
	static const char *const ms[] = {"m", "mat", "rot", "A"};
	rng *r = &c->r;
	if (wty_is_float(t))
		return fs[rng_below(r, 12)];
	if (t == WT_I32)
		return is[rng_below(r, 6)];
	if (wty_is_vec(t))
		return vs[rng_below(r, 6)];
	if (wty_is_mat(t))
		return ms[rng_below(r, 4)];
	if (t == WT_XFORM)
		return rng_chance(r, 0.5) ? "xf" : "tf";
	if (t == WT_SPATIAL)
		return rng_chance(r, 0.5) ? "twist" : "sv";
	return rng_chance(r, 0.5) ? "q" : "quat";
}

/* Scalars three times as likely as vectors/matrices, when both exist. */
static wty gen_local_type(gen_ctx *c)
{
	wtyset s = c->types & WT_SCALARS;
	if (s && (s == c->types || rng_chance(&c->r, 0.6)))
		return wty_pick(&c->r, s);
	return wty_pick(&c->r, c->types);
}

/* Starts `name = ` for a new local whose type and flags are set once the
 * right-hand side is written (finish_decl): until then no query can pick
 * it, so the value never refers to itself. */
gen_var *gen_decl_start(gen_ctx *c, const char *base, wty t)
{
	gen_var *v = gen_var_add(c, base ? base : gen_stem(c, t), WT_ANY, VAR_LOCAL);
	if (v)
		v->flags = 0;
	if (v) {
		gen_line(c);
		buf_printf(c->b, "%s = ", v->name);
	}
	return v;
}

void gen_decl_finish(gen_var *v, wty t)
{
	v->type = t;
	v->flags = VAR_LOCAL | VAR_MUT;
}

// decl = name "=" op          (depth >= 1, so never a bare literal)
const gen_var *gen_decl(gen_ctx *c, const char *base, wty t)
{
	gen_var *v = gen_decl_start(c, base, t);
	if (!v)
		return NULL;
	c->top = 1;
	gen_op(c, t, gen_depth(c));
	gen_put(c, "\n");
	gen_decl_finish(v, t);
	return v;
}

/* init = name "=" ctor "(" lit ")"  -- the explicit constructor makes the
 * variable dynamic: Warp rejects mutating a literal-bound name in a loop. */
const gen_var *gen_decl_zero(gen_ctx *c, const char *base, wty t)
{
	gen_var *v = gen_decl_start(c, base, t);
	if (!v)
		return NULL;
	rng *r = &c->r;
	if (wty_is_scalar(t)) {
		buf_printf(c->b, "%s(", wty_spell(t, r));
		int one = rng_chance(r, 0.2);
		if (t == WT_I32)
			buf_printf(c->b, "%d", one);
		else
			gen_put(c, one ? "1.0" : "0.0");
		gen_put(c, ")");
	} else if (t == WT_QUAT) {
		gen_put(c, "wp.quat_identity()");
	} else if (t == WT_XFORM) {
		gen_put(c, "wp.transform_identity()");
	} else if (wty_is_mat(t) && rng_chance(r, 0.5)) {
		buf_printf(c->b, "wp.identity(n=%d, dtype=float)", wty_dim(t));
	} else {
		buf_printf(c->b, "%s()", wty_spell(t, NULL));
	}
	gen_put(c, "\n");
	gen_decl_finish(v, t);
	return v;
}

/* unpack = name ("," name)+ "=" ...: starts a tuple assignment to fresh
 * locals bases[0..n) (out[i] NULL, written `_`, when the table is full);
 * gen_unpack_finish types them once the right-hand side is written. */
void gen_unpack_start(gen_ctx *c, gen_var **out, const char *const *bases, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = gen_var_add(c, bases[i], WT_ANY, VAR_LOCAL);
	gen_line(c);
	for (int i = 0; i < n; i++)
		buf_printf(c->b, "%s%s", i ? ", " : "", out[i] ? out[i]->name : "_");
	gen_put(c, " = ");
}

void gen_unpack_finish(gen_var **v, const wty *ts, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i])
			gen_decl_finish(v[i], ts[i]);
}

/* result = name "=" op: a float32 local one level deeper than a plain decl,
 * combining the locals made so far: the value a core returns to store.
 * NULL when the table is full. */
const gen_var *gen_result(gen_ctx *c)
{
	gen_var *s = gen_decl_start(c, NULL, WT_F32);
	if (!s)
		return NULL;
	c->top = 1;
	gen_op(c, WT_F32, gen_depth(c) + 1);
	gen_put(c, "\n");
	gen_decl_finish(s, WT_F32);
	return s;
}

int gen_loop_carried(const gen_ctx *c, const gen_var *v)
{
	return c->loops > v->loops && wty_is_float(v->type);
}

void gen_bound_close(gen_ctx *c, wty t)
{
	gen_put(c, ", ");
	gen_lit_fix(c, t, -GEN_BOUND, 0);
	gen_put(c, ", ");
	gen_lit_fix(c, t, GEN_BOUND, 0);
	gen_put(c, ")");
}

// assign = name "=" op | name "=" "wp.clamp(" op "," -B "," B ")" (loop-carried)
void gen_assign(gen_ctx *c, const gen_var *v)
{
	int bound = gen_loop_carried(c, v);
	gen_line(c);
	buf_printf(c->b, bound ? "%s = wp.clamp(" : "%s = ", v->name);
	c->top = 1;
	gen_op(c, v->type, gen_depth(c));
	if (bound)
		gen_bound_close(c, v->type);
	gen_put(c, "\n");
}

/* aug = name ("+=" | "-=" | "*=") expr     ("*=" on scalars outside loops)
 *     | name "=" "wp.clamp(" name ("+" | "-") expr "," -B "," B ")"
 * The second form for a float that a loop carries (see gen_loop_carried):
 * `x += x - 8.1` doubles x each trip, and nested loops of a few dozen
 * trips take any such feedback to inf; clamped, |x| <= B after every trip. */
static void gen_aug(gen_ctx *c, const gen_var *v)
{
	rng *r = &c->r;
	/* no "*=" in loops: repeated products overflow to inf within a few trips */
	int k = (int)rng_below(r, wty_is_scalar(v->type) && !c->loops ? 10 : 8);
	int bound = gen_loop_carried(c, v);
	gen_line(c);
	size_t at = c->b->len, n = strlen(v->name);
	if (bound) {
		buf_printf(c->b, "%s = wp.clamp(", v->name);
		at = c->b->len;
		buf_printf(c->b, "%s %s ", v->name, k < 5 ? "+" : "-");
		c->top = 0; /* `x - (a + b)` */
	} else {
		buf_printf(c->b, "%s %s ", v->name, k < 5 ? "+=" : k < 8 ? "-=" : "*=");
		c->top = 1;
	}
	gen_sub_other(c, v->type, gen_depth(c), 1, at, n); /* not `x -= x` */
	if (bound)
		gen_bound_close(c, v->type);
	gen_put(c, "\n");
}

// store = arr "[" index "]" ("=" | "+=") expr
void gen_store(gen_ctx *c, const gen_arr *a)
{
	gen_line(c);
	buf_printf(c->b, "%s[", a->name);
	gen_index(c, a, 1);
	buf_printf(c->b, "] %s ", rng_chance(&c->r, 0.1) ? "+=" : "=");
	gen_top(c, a->dtype, gen_depth(c));
	gen_put(c, "\n");
	c->written |= 1u << (a - c->arr);
}

/* store_var = arr "[" index "] =" v [op expr] | ctor(v) | ...: writes a
 * value derived from local v, converting it when the element type differs
 * (scalar <-> scalar by constructor, vector -> float by length/component,
 * float -> vector by broadcast). */
void gen_store_var(gen_ctx *c, const gen_arr *a, const gen_var *v)
{
	static const char *const ops[] = {"+", "-", "*"};
	rng *r = &c->r;
	wty t = a->dtype, vt = v->type;
	int d = rng_range(r, 1, 2);
	gen_line(c);
	buf_printf(c->b, "%s[", a->name);
	gen_index(c, a, 1);
	gen_put(c, "] = ");
	if (vt == t) {
		gen_put(c, v->name);
		if (rng_chance(r, 0.4) && (wty_is_scalar(t) || wty_is_vec(t))) {
			int k = (int)rng_below(r, 3);
			buf_printf(c->b, " %s ", ops[k]);
			gen_sub(c, k == 2 && wty_is_vec(t) ? WT_F32 : t, d, 1);
		}
	} else if (wty_is_scalar(t) && wty_is_scalar(vt)) {
		gen_conv_open(c, t, vt);
		gen_put(c, v->name);
		gen_conv_close(c, t, vt);
	} else if (t == WT_F32 && wty_is_vec(vt)) {
		buf_printf(c->b, rng_chance(r, 0.5) ? "wp.length(%s)" : "%s[0]", v->name);
	} else if (wty_is_vec(t) && vt == WT_F32) {
		buf_printf(c->b, "%s(%s)", wty_spell(t, NULL), v->name);
	} else {
		c->top = 1;
		gen_op(c, t, d);
	}
	gen_put(c, "\n");
	c->written |= 1u << (a - c->arr);
}

/* atomic = [name "="] wp.atomic_(add|sub|min|max) "(" arr "," index "," expr ")"
 * min/max only on scalar arrays; the result (the old value) may be kept. */
void gen_atomic(gen_ctx *c, const gen_arr *a)
{
	static const char *const ops[] = {"add", "add", "add", "sub", "min", "max"};
	rng *r = &c->r;
	const char *op = ops[rng_below(r, wty_is_scalar(a->dtype) ? 6 : 4)];
	gen_var *v = NULL;
	if (rng_chance(r, 0.15) && c->nvar < GEN_MAX_VARS - 8)
		v = gen_decl_start(c, "old", a->dtype);
	else
		gen_line(c);
	buf_printf(c->b, "wp.atomic_%s(%s, ", op, a->name);
	gen_index(c, a, 2);
	gen_put(c, ", ");
	gen_top(c, a->dtype, gen_depth(c));
	gen_put(c, ")\n");
	if (v)
		gen_decl_finish(v, a->dtype);
	c->written |= 1u << (a - c->arr);
}

/* batomic = [name "="] wp.atomic_(and|or|xor)(arr, index, e)
 *         | [name "="] wp.atomic_exch(arr, index, e) | name "=" wp.atomic_cas(arr, index, e, e)
 * (int32 arrays; other element types get the arithmetic atomics) */
void gen_atomic_bits(gen_ctx *c, const gen_arr *a)
{
	static const char *const ops[] = {"and", "or", "xor", "exch", "cas"};
	rng *r = &c->r;
	if (a->dtype != WT_I32) {
		gen_atomic(c, a);
		return;
	}
	int k = (int)rng_below(r, 5);
	gen_var *v = NULL;
	if ((k == 4 || rng_chance(r, 0.2)) && c->nvar < GEN_MAX_VARS - 8)
		v = gen_decl_start(c, "old", WT_I32);
	else
		gen_line(c);
	if (k == 4 && !v)
		k = 3;
	buf_printf(c->b, "wp.atomic_%s(%s, ", ops[k], a->name);
	gen_index(c, a, 2);
	gen_put(c, ", ");
	if (k == 4) {
		gen_arg(c, WT_I32, gen_depth(c) - 1);
		gen_put(c, ", ");
	}
	gen_arg(c, WT_I32, gen_depth(c));
	gen_put(c, ")\n");
	if (v)
		gen_decl_finish(v, WT_I32);
	c->written |= 1u << (a - c->arr);
}

/* Statements still free here: the budget less those kept for the bodies
 * and siblings still to come. Only --max-stmts keeps any (reserve > 0), so
 * without it this is the budget and kernels stay as they were. */
static int avail(const gen_ctx *c) { return c->budget - c->reserve; }

/* With --max-stmts a body takes no more than is free, and at least one. */
static int body_len(gen_ctx *c)
{
	int n = rng_range(&c->r, 1, avail(c) > 3 ? 3 : 2);
	if (c->max_stmts > 0 && n > avail(c))
		n = avail(c) > 1 ? avail(c) : 1;
	return n;
}

/* Sets aside `keep` statements (negative: gives them back) for what follows
 * a body: one per later branch or sibling, each of which needs at least one,
 * so that nested bodies cannot overrun --max-stmts. */
static void keep_for_later(gen_ctx *c, int keep)
{
	if (c->max_stmts > 0)
		c->reserve += keep;
}

/* A branch body: when there is a target, it starts by updating it, so
 * every arm of the chain computes the value the kernel goes on to use. */
static void gen_branch(gen_ctx *c, const gen_var *target)
{
	int mark = gen_enter(c);
	int n = body_len(c);
	if (target) {
		if (rng_chance(&c->r, 0.6))
			gen_assign(c, target);
		else
			gen_aug(c, target);
		n = (int)rng_below(&c->r, (uint32_t)n);
	}
	gen_stmts(c, n);
	gen_leave(c, mark);
}

// if = "if" cond ":" block ("elif" cond ":" block)* ["else" ":" block]
void gen_if(gen_ctx *c, int nelif, int has_else, const gen_var *target)
{
	int d = rng_range(&c->r, 1, 3);
	gen_line(c);
	gen_put(c, "if ");
	gen_cond(c, d);
	gen_put(c, ":\n");
	keep_for_later(c, nelif + has_else);
	gen_branch(c, target);
	keep_for_later(c, -(nelif + has_else));
	for (int i = 0; i < nelif; i++) {
		gen_line(c);
		gen_put(c, "elif ");
		gen_cond(c, d);
		gen_put(c, ":\n");
		keep_for_later(c, nelif - 1 - i + has_else);
		gen_branch(c, target);
		keep_for_later(c, -(nelif - 1 - i + has_else));
	}
	if (has_else) {
		gen_line(c);
		gen_put(c, "else:\n");
		gen_branch(c, target);
	}
}

/* An if statement under --max-stmts: no more branches than free
 * statements, since each branch holds at least one. */
static void gen_if_within(gen_ctx *c)
{
	int nelif = rng_chance(&c->r, 0.3) ? rng_range(&c->r, 1, 2) : 0;
	int has_else = rng_chance(&c->r, 0.6);
	int room = avail(c) - 1; /* branches after the first */
	if (has_else && room < 1)
		has_else = 0;
	room -= has_else;
	if (nelif > room)
		nelif = room > 0 ? room : 0;
	gen_if(c, nelif, has_else, NULL);
}

/* stmt = decl | assign | aug | store | atomic | if | for | while | jump
 * Drawn by the profile's weights among the kinds legal here: compound
 * statements only while nesting and budget allow, assignments only when a
 * mutable local exists. Always emits exactly one statement. */
void gen_stmt(gen_ctx *c)
{
	const gen_profile *p = c->p;
	unsigned char w[ST_COUNT];
	(void)p;
	for (int i = 0; i < ST_COUNT; i++)
		w[i] = c->w[i];
	if (!c->loops)
		w[ST_JUMP] = 0;
	if (!c->narr)
		w[ST_STORE] = w[ST_ATOMIC] = 0; /* a helper function */
	int compound = c->nest < p->nest_max && avail(c) > 1;
	if (!compound)
		w[ST_IF] = w[ST_FOR] = w[ST_WHILE] = 0;
	if (!gen_var_count(c, WT_ANY, VAR_MUT))
		w[ST_ASSIGN] = w[ST_AUG] = 0;
	else if (c->loops)
		w[ST_AUG] += 4; /* loops exist to carry values */
	if (c->post)
		w[ST_DECL] = w[ST_STORE] = 0;
	if (c->nvar > GEN_MAX_VARS - 12)
		w[ST_DECL] = w[ST_IF] = w[ST_FOR] = w[ST_WHILE] = 0;
	c->budget--;
	c->nstmt++;
	switch (gen_pick(&c->r, w, ST_COUNT)) {
	case ST_ASSIGN: gen_assign(c, gen_var_pick(c, WT_ANY, VAR_MUT)); break;
	case ST_AUG: {
		const gen_var *v = gen_var_pick(c, WT_ANY, VAR_MUT);
		if (v->type == WT_XFORM)
			gen_assign(c, v); /* transforms have no in-place arithmetic */
		else
			gen_aug(c, v);
		break;
	}
	case ST_JUMP: gen_jump(c); break;
	case ST_STORE: gen_store(c, gen_arr_pick(c, WT_ANY, 1)); break;
	case ST_ATOMIC:
		if (c->feat & FE_SHIFT)
			gen_atomic_bits(c, gen_arr_pick(c, WT_ANY, 1));
		else
			gen_atomic(c, gen_arr_pick(c, WT_ANY, 1));
		break;
	case ST_IF:
		if (c->max_stmts > 0) {
			gen_if_within(c);
		} else {
			int with_else = rng_chance(&c->r, 0.6);
			int nelif = rng_chance(&c->r, 0.3) ? rng_range(&c->r, 1, 2) : 0;
			gen_if(c, nelif, with_else, NULL);
		}
		break;
	case ST_FOR: gen_for(c, body_len(c)); break;
	case ST_WHILE: gen_while(c, body_len(c), NULL); break;
	default:
		if (!gen_decl(c, NULL, gen_local_type(c)) && c->narr)
			gen_store(c, &c->arr[c->narr - 1]);
		break;
	}
}

void gen_stmts(gen_ctx *c, int n)
{
	for (int i = 0; i < n; i++) {
		keep_for_later(c, n - 1 - i);
		gen_stmt(c);
		keep_for_later(c, -(n - 1 - i));
	}
}
