/* pyfeat: finds @wp.kernel functions in tokenized Python (pytok.h) and
 * measures each: its signature (parameters, annotation style, dtypes) and
 * its body, line by line. Reads untrusted text; bounded by its size. */
#include "report/pyfeat.h"

#include <string.h>

#include "report/pyexpr.h"
#include "report/pytok.h"

typedef struct span {
	const pytok *t;
	size_t b, e; /* tokens [b, e) */
} span;

static const pytok *at(const span *s, size_t i)
{
	return i < s->e ? &s->t[i] : NULL;
}

/* The index of the bracket closing the one at i (or s->e). */
static size_t match(const span *s, size_t i)
{
	int d = 0;
	for (size_t k = i; k < s->e; k++) {
		const pytok *t = &s->t[k];
		if (t->kind != PT_OP)
			continue;
		if (pytok_is(t, "(") || pytok_is(t, "[") || pytok_is(t, "{"))
			d++;
		else if ((pytok_is(t, ")") || pytok_is(t, "]") || pytok_is(t, "}")) && --d == 0)
			return k;
	}
	return s->e;
}

/* The first top-level token equal to op in [b, e), or e. */
static size_t find_top(const span *s, size_t b, size_t e, const char *op)
{
	for (size_t k = b; k < e; k++) {
		const pytok *t = &s->t[k];
		if (pytok_is(t, op))
			return k;
		if (pytok_is(t, "(") || pytok_is(t, "[") || pytok_is(t, "{"))
			k = match(s, k);
	}
	return e;
}

static int name_in(const pytok *t, const char *const *list)
{
	for (; *list; list++)
		if (pytok_is(t, *list))
			return 1;
	return 0;
}

static int starts(const pytok *t, const char *p)
{
	size_t n = strlen(p);
	return t->len >= n && !memcmp(t->s, p, n);
}

/* Skips a leading `wp.` or `warp.` (or `wp.types.`) at i. */
static size_t skip_wp(const span *s, size_t i)
{
	while (at(s, i) &&
	       (pytok_is(at(s, i), "wp") || pytok_is(at(s, i), "warp") || pytok_is(at(s, i), "types")) &&
	       pytok_is(at(s, i + 1), "."))
		i += 2;
	return i;
}

static pyfeat_dtype classify_dtype(const span *s, size_t b, size_t e)
{
	b = skip_wp(s, b);
	const pytok *t = b < e ? at(s, b) : NULL;
	if (!t || t->kind != PT_NAME)
		return DT_OTHER;
	while (b + 2 < e && pytok_is(at(s, b + 1), ".") && at(s, b + 2)->kind == PT_NAME) /* module.Name */
		t = at(s, b += 2);
	static const char *const f32[] = {"float", "float32", NULL}, *const i32[] = {"int", "int32", NULL},
				 *const ints[] = {"int8",  "uint8",  "int16", "uint16",	 "uint32",
						  "int64", "uint64", "bool",  "float16", NULL},
				 *const gen[] = {"Any", "Scalar", "Float", "Int", NULL};
	if (name_in(t, f32))
		return DT_F32;
	if (pytok_is(t, "float64"))
		return DT_F64;
	if (name_in(t, i32))
		return DT_I32;
	if (name_in(t, ints))
		return DT_OTHER_INT;
	if (starts(t, "vec3"))
		return DT_VEC3;
	if (starts(t, "vec") || pytok_is(t, "vector"))
		return DT_VEC;
	if (starts(t, "quat"))
		return DT_QUAT;
	if (starts(t, "transform"))
		return DT_TRANSFORM;
	if (starts(t, "mat") || pytok_is(t, "matrix"))
		return DT_MAT;
	if (starts(t, "spatial"))
		return DT_SPATIAL;
	if (name_in(t, gen))
		return DT_GENERIC;
	if ((unsigned)(t->s[0] - 'A') < 26u)
		return DT_STRUCT;
	return DT_OTHER;
}

/* Parameter tokens [b, e): `name [: annotation] [= default]`. */
static void classify_param(const span *s, size_t b, size_t e, pyfeat_param *p)
{
	*p = (pyfeat_param){.kind = PK_UNTYPED, .ann = ANN_OTHER, .dtype = DT_OTHER};
	p->name = (pyfeat_name){s->t[b].s, s->t[b].len};
	size_t c = find_top(s, b, e, ":");
	if (c == e)
		return;
	size_t a = c + 1, ae = find_top(s, a, e, "="), k = skip_wp(s, a);
	const pytok *t = k < ae ? at(s, k) : NULL;
	if (!t || t->kind != PT_NAME) {
		p->kind = PK_OTHER;
		return;
	}
	int is_array = (pytok_is(t, "array") || pytok_is(t, "array1d") || pytok_is(t, "array2d") ||
			pytok_is(t, "array3d") || pytok_is(t, "array4d"));
	if (is_array || starts(t, "indexedarray") || starts(t, "fabricarray") ||
	    starts(t, "indexedfabricarray")) {
		p->kind = PK_ARRAY;
		const pytok *o = at(s, k + 1);
		if (k + 1 < ae && (pytok_is(o, "[") || pytok_is(o, "("))) {
			size_t ob = k + 2, oe = match(s, k + 1);
			oe = oe < ae ? oe : ae;
			size_t de = find_top(s, ob, oe, ","), db = ob;
			if (pytok_is(o, "(")) {
				for (size_t q = ob; q + 1 < oe; q++) /* dtype= wherever it is */
					if (pytok_is(at(s, q), "dtype") && pytok_is(at(s, q + 1), "=")) {
						db = q + 2, de = find_top(s, db, oe, ",");
						break;
					}
			}
			p->ann = !is_array ? ANN_OTHER : pytok_is(o, "[") ? ANN_SUBSCRIPT : ANN_CALL;
			p->dtype = (unsigned char)classify_dtype(s, db, de);
		}
		return;
	}
	static const char *const fl[] = {"float", "float32", "float64", "float16", NULL},
				 *const in[] = {"int",	"int32", "uint32", "int64",  "uint64",
						"int8", "uint8", "int16",  "uint16", NULL},
				 *const gen[] = {"Any", "Scalar", "Float", "Int", NULL};
	if (name_in(t, fl))
		p->kind = PK_FLOAT;
	else if (name_in(t, in))
		p->kind = PK_INT;
	else if (pytok_is(t, "bool"))
		p->kind = PK_BOOL;
	else if (starts(t, "vec") || starts(t, "mat") || starts(t, "quat") || starts(t, "transform") ||
		 starts(t, "spatial") || pytok_is(t, "vector") || pytok_is(t, "matrix"))
		p->kind = PK_VECMAT;
	else if (name_in(t, gen))
		p->kind = PK_GENERIC;
	else if ((unsigned)(t->s[0] - 'A') < 26u)
		p->kind = PK_STRUCT;
	else
		p->kind = PK_OTHER;
}

/* Python's own callables and Warp's type constructors: calls that are no
 * @wp.func helper. */
static const char *const not_helpers[] = {
    "range",	  "len",    "int",   "float",	"bool",	     "print",	  "min",     "max",    "abs",
    "isinstance", "type",   "tuple", "list",	"zip",	     "enumerate", "str",     "round",  "pow",
    "sum",	  "any",    "all",   "hasattr", "getattr",   "super",	  "iter",    "next",   "divmod",
    "reversed",	  "sorted", "set",   "dict",	"object",    "slice",	  "vec2",    "vec3",   "vec4",
    "mat22",	  "mat33",  "mat44", "quat",	"transform", "float32",	  "float64", "int32",  "int64",
    "uint32",	  "uint64", "int8",  "uint8",	"int16",     "uint16",	  "float16", "static", NULL};

static int is_keyword(const pytok *t)
{
	static const char *const kw[] = {
	    "if",     "elif",	  "else", "for",    "while",	"return", "and",  "or",
	    "not",    "in",	  "is",	  "lambda", "def",	"class",  "with", "assert",
	    "yield",  "del",	  "pass", "break",  "continue", "import", "from", "as",
	    "global", "nonlocal", "try",  "except", "finally",	"raise",  NULL};
	return name_in(t, kw);
}

static void add_local(pyfeat_kernel *k, const pytok *t)
{
	for (size_t i = 0; i < k->nlocals; i++)
		if (k->local[i].len == t->len && !memcmp(k->local[i].s, t->s, t->len))
			return;
	if (k->nlocals < PYFEAT_MAX_NAMES)
		k->local[k->nlocals++] = (pyfeat_name){t->s, t->len};
}

static int is_int_array(const pyfeat_kernel *k, const pytok *t)
{
	size_t n = k->nparams < PYFEAT_MAX_PARAMS ? k->nparams : PYFEAT_MAX_PARAMS;
	for (size_t i = 0; i < n; i++) {
		const pyfeat_param *p = &k->param[i];
		if (p->kind == PK_ARRAY && (p->dtype == DT_I32 || p->dtype == DT_OTHER_INT) &&
		    p->name.len == t->len && !memcmp(p->name.s, t->s, t->len))
			return 1;
	}
	return 0;
}

/* Index locals: names assigned a gather of an int array (`pa = particle_a[i]`). */
typedef struct idx_names {
	pyfeat_name v[32];
	size_t n;
} idx_names;

static int is_idx_local(const idx_names *x, const pytok *t)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].len == t->len && !memcmp(x->v[i].s, t->s, t->len))
			return 1;
	return 0;
}

/* Whether the index of the subscript opened at i reads an index local or an int array. */
static int indirect_index(const pyfeat_kernel *k, const idx_names *x, const span *s, size_t i)
{
	size_t e = match(s, i);
	for (size_t q = i + 1; q < e; q++) {
		const pytok *t = at(s, q);
		if (t->kind != PT_NAME || (q > 0 && pytok_is(&s->t[q - 1], ".")))
			continue;
		if (is_idx_local(x, t) || (is_int_array(k, t) && pytok_is(at(s, q + 1), "[")))
			return 1;
	}
	return 0;
}

/* One body line (tokens [b, e)): everything but size and nesting. */
static void measure_line(pyfeat_kernel *k, idx_names *x, const span *s, pyfeat_name *seen, size_t *nseen)
{
	size_t b = s->b, e = s->e;
	const pytok *h = at(s, b);
	if (pytok_is(h, "for") || pytok_is(h, "while"))
		k->loop = 1;
	/* builtins, helpers, literals, guards, atomics, indirection */
	for (size_t i = b; i < e; i++) {
		const pytok *t = &s->t[i], *prev = i > b ? &s->t[i - 1] : NULL;
		if (t->kind == PT_NUMBER)
			k->literals++;
		if (pytok_is(t, "return"))
			k->guard = 1;
		if (t->kind != PT_NAME)
			continue;
		if ((pytok_is(t, "wp") || pytok_is(t, "warp")) && pytok_is(at(s, i + 1), ".") &&
		    at(s, i + 2) && at(s, i + 2)->kind == PT_NAME && pytok_is(at(s, i + 3), "(") &&
		    !pytok_is(prev, ".")) {
			const pytok *f = at(s, i + 2);
			if (starts(f, "atomic_"))
				k->atomic = 1;
			int known = 0;
			for (size_t q = 0; q < *nseen && !known; q++)
				known = seen[q].len == f->len && !memcmp(seen[q].s, f->s, f->len);
			if (!known && *nseen < 64)
				seen[(*nseen)++] = (pyfeat_name){f->s, f->len};
			if (!known)
				k->builtins++;
			i += 2;
			continue;
		}
		if (pytok_is(at(s, i + 1), "(") && !pytok_is(prev, ".") && !pytok_is(prev, "def") &&
		    !is_keyword(t) && !name_in(t, not_helpers) && (unsigned)(t->s[0] - 'A') >= 26u)
			k->helper = 1;
		if (pytok_is(at(s, i + 1), "[") && !is_int_array(k, t) ? indirect_index(k, x, s, i + 1) : 0)
			k->indirect = 1;
		if (pytok_is(t, "range") && pytok_is(at(s, i + 1), "(")) {
			size_t ce = match(s, i + 1);
			for (size_t q = i + 2; q < ce; q++)
				if (is_int_array(k, at(s, q)) && pytok_is(at(s, q + 1), "["))
					k->indirect = 1;
		}
	}
	/* assignment targets, wp.tid(), augmented stores */
	size_t eq = e;
	for (size_t i = b; i < e; i++) {
		const pytok *t = &s->t[i];
		if (pytok_is(t, "(") || pytok_is(t, "[") || pytok_is(t, "{")) {
			i = match(s, i);
			continue;
		}
		if (t->kind == PT_OP && t->len >= 1 && t->s[t->len - 1] == '=' && !pytok_is(t, "==") &&
		    !pytok_is(t, "<=") && !pytok_is(t, ">=") && !pytok_is(t, "!=")) {
			eq = i;
			if (t->len > 1 && find_top(s, b, i, "[") < i)
				k->atomic = 1; /* a[i] += v is an atomic add in Warp */
		}
		if (pytok_is(t, ":") && !pytok_is(h, "for"))
			break; /* an if/while head, or an annotation */
	}
	if (pytok_is(h, "for")) {
		for (size_t i = b + 1; i < e && !pytok_is(at(s, i), "in"); i++)
			if (at(s, i)->kind == PT_NAME)
				add_local(k, at(s, i));
	}
	if (eq < e && pytok_is(at(s, eq), "=")) {
		int tid = pytok_is(at(s, eq + 1), "wp") && pytok_is(at(s, eq + 3), "tid") &&
			  pytok_is(at(s, eq + 4), "(");
		unsigned targets = 1;
		for (size_t i = b; i < eq; i++) {
			const pytok *t = &s->t[i];
			if (pytok_is(t, ","))
				targets++;
			else if (t->kind == PT_NAME && !pytok_is(at(s, i + 1), "[") &&
				 !pytok_is(at(s, i + 1), ".") && !(i > b && pytok_is(&s->t[i - 1], ".")) &&
				 !pytok_is(at(s, i + 1), ":"))
				add_local(k, t);
			else if (pytok_is(t, "[") || pytok_is(t, "("))
				i = match(s, i);
		}
		if (tid && !k->dims)
			k->dims = targets;
		/* j = idx[i], j = wp.clamp(idx[i], 0, n - 1): a gathered index */
		int gathered = 0;
		for (size_t q = eq + 1; q + 1 < e && !gathered; q++)
			gathered = is_int_array(k, at(s, q)) && pytok_is(at(s, q + 1), "[") &&
				   !pytok_is(at(s, q - 1), ".");
		if (eq == b + 1 && at(s, b)->kind == PT_NAME && gathered && x->n < 32)
			x->v[x->n++] = (pyfeat_name){at(s, b)->s, at(s, b)->len};
	}
	/* the expression the statement evaluates */
	size_t xb = b, xe = e;
	if (pytok_is(h, "if") || pytok_is(h, "elif") || pytok_is(h, "while"))
		xb = b + 1, xe = find_top(s, b + 1, e, ":");
	else if (pytok_is(h, "for")) {
		xb = find_top(s, b, e, "in") + 1, xe = find_top(s, xb, e, ":");
	} else if (pytok_is(h, "return") || pytok_is(h, "assert"))
		xb = b + 1, xe = pytok_is(h, "assert") ? find_top(s, b + 1, e, ",") : e;
	else if (h->kind == PT_NAME && (is_keyword(h) || pytok_is(h, "pass")))
		xb = xe = e;
	else if (eq < e)
		xb = eq + 1;
	else if (find_top(s, b, e, ":") < e)
		xb = xe = e; /* a bare annotation */
	if (xb < xe) {
		unsigned d = pyexpr_depth(s->t, xb, xe);
		k->expr_depth = d > k->expr_depth ? d : k->expr_depth;
	}
}

static int comment_between(const pysrc *p, unsigned lo, unsigned hi)
{
	for (size_t i = 0; i < p->ncomments; i++)
		if (p->comments[i] >= lo && p->comments[i] <= hi)
			return 1;
	return 0;
}

/* Whether line li is a decorator `@wp.kernel` / `@wp.kernel(...)` / `@warp.kernel`. */
static int is_kernel_decorator(const pysrc *p, size_t li)
{
	const pyline *l = &p->lines[li];
	const pytok *t = &p->tok[l->first];
	if (l->ntok < 4 || !pytok_is(t, "@"))
		return 0;
	return (pytok_is(t + 1, "wp") || pytok_is(t + 1, "warp")) && pytok_is(t + 2, ".") &&
	       pytok_is(t + 3, "kernel");
}

/* Measures the def at line di (body: the lines after it indented deeper). */
static void measure_kernel(const pysrc *p, size_t di, pyfeat_kernel *k)
{
	memset(k, 0, sizeof *k);
	const pyline *d = &p->lines[di];
	span s = {p->tok, d->first, d->first + d->ntok};
	k->name = (pyfeat_name){p->tok[d->first + 1].s, p->tok[d->first + 1].len};
	size_t o = d->first + 2;
	if (pytok_is(at(&s, o), "(")) {
		size_t ce = match(&s, o);
		for (size_t b = o + 1; b < ce;) {
			size_t e = find_top(&s, b, ce, ",");
			while (b < e && (pytok_is(at(&s, b), "*") || pytok_is(at(&s, b), "**") ||
					 pytok_is(at(&s, b), "/")))
				b++;
			if (b < e && at(&s, b)->kind == PT_NAME) {
				if (k->nparams < PYFEAT_MAX_PARAMS)
					classify_param(&s, b, e, &k->param[k->nparams]);
				k->nparams++;
			}
			b = e + 1;
		}
	}
	for (size_t i = 0; i < k->nparams && i < PYFEAT_MAX_PARAMS; i++)
		if (k->param[i].kind == PK_STRUCT ||
		    (k->param[i].kind == PK_ARRAY && k->param[i].dtype == DT_STRUCT))
			k->uses_struct = 1;
	unsigned stack[64], depth = 0, last_line = d->last_line;
	size_t li = di + 1;
	pyfeat_name seen[64];
	size_t nseen = 0;
	idx_names x = {.n = 0};
	for (; li < p->nlines && p->lines[li].indent > d->indent; li++) {
		const pyline *l = &p->lines[li];
		span ls = {p->tok, l->first, l->first + l->ntok};
		last_line = l->last_line;
		if (li == di + 1 && l->ntok >= 1 && p->tok[l->first].kind == PT_STRING) {
			k->docstring = 1;
			continue;
		}
		if (!depth)
			stack[depth++] = l->indent;
		while (depth > 1 && l->indent < stack[depth - 1])
			depth--;
		if (l->indent > stack[depth - 1] && depth < 64)
			stack[depth++] = l->indent;
		if (depth - 1 > k->nest)
			k->nest = depth - 1;
		k->statements++;
		measure_line(k, &x, &ls, seen, &nseen);
	}
	k->comment = (unsigned char)comment_between(p, d->line, last_line);
}

size_t pyfeat_scan(const char *src, size_t n, pyfeat_fn fn, void *ctx)
{
	pysrc p;
	pysrc_scan(&p, src, n);
	size_t found = 0;
	pyfeat_kernel k;
	for (size_t i = 0; i < p.nlines; i++) {
		if (!is_kernel_decorator(&p, i))
			continue;
		size_t j = i + 1;
		while (j < p.nlines && pytok_is(&p.tok[p.lines[j].first], "@"))
			j++; /* other decorators */
		if (j >= p.nlines || p.lines[j].ntok < 3 || !pytok_is(&p.tok[p.lines[j].first], "def"))
			continue;
		measure_kernel(&p, j, &k);
		found++;
		if (fn)
			fn(&k, ctx);
	}
	pysrc_free(&p);
	return found;
}

unsigned pyfeat_expr_depth_of(const char *expr)
{
	pysrc p;
	pysrc_scan(&p, expr, strlen(expr));
	unsigned d = pyexpr_depth(p.tok, 0, p.ntok);
	pysrc_free(&p);
	return d;
}
