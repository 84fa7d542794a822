#!/usr/bin/env python3
"""gen_safety: checks, statically on the Python AST, the safety rules that the
generator (src/gen/*.c) promises for every kernel, so that a later execution
tier can run the kernels without out-of-bounds accesses, divisions by zero,
domain errors or endless loops.

Input (stdin): the output of `jitsynth sample ...`, kernels separated by lines
"# kernel I: NAME (CATEGORY)". Standard library only.

Rules (each justified against the generator below, at the form it accepts):
  index     every subscript of an array parameter, and the index arguments of
            wp.atomic_*(arr, i, ...), use per dimension d a form proven in
            [0, A.shape[d]) (tid component d, its mirror, (v + k) % n,
            wp.min(v + k, n - 1), wp.max(tid - k, 0), v % n, tid // k, 0,
            wp.abs(q) % n for a query result q); v must be an int proven >= 0
  store     plain stores (a[...] = / a[...] op=) index with tid or its mirror
            only (each a permutation of the threads; see --races)
  division  every /, //, % (and wp.cw_div) has a denominator that cannot be 0
            (nor -1 for integer literals: INT_MIN // -1)
  guarded   sqrt, log/log2/log10, pow, acos, asin, inverse, randi, poisson,
            pnoise, smoothstep, curlnoise get an argument of a guarded form
            (atanh, acosh are flagged: never emitted); erfinv/erfcinv of a
            clamp inside their domain; wp.div/floordiv/mod as / // %
  shift     << and >> never shift by >= 32 nor a negative value, and << only
            a masked value that cannot overflow
  loop      every for iterates over range() with bounded arguments (literals
            <= 64, enclosing counters, wp.min(x, K)); every while has a
            counter the generator guarantees (int(0), only += 1, no continue
            before the step, literal bound), or walks a geometry query
  undefined every Name loaded is a parameter, a module name, a builtin, or
            assigned earlier in source order; "maybe-undefined" when its only
            assignments sit in a loop body or in one branch of an if
  component subscripts of non-array values (vector/matrix/tile components)
            use non-negative integer literals, below N for wp.vecN(...)
  conversion a conversion to an integer type (int, wp.int8..wp.uint64)
            of a visibly float operand (a float literal, a read of a float
            array, a float conversion) clamps it first to literal bounds
            within int32 (C++ leaves float -> int undefined out of range;
            Warp's float clamp maps NaN to the lower bound)

With --races, also warns (without failing) about arrays that one kernel both
stores non-atomically and accesses under another index form: threads race.

With --roles (the realistic style, src/gen/style.h), also: every array
parameter keeps one role: an input is only read; an output is only stored
(at the thread's own element: the store rule), never read; an accumulator
only gets atomics of one kind (add/sub, min or max), never read nor stored;
loop-carried values only add; no wp.frac, wp.mod, nor % but by an int
literal or a shape. A gathered index `j = wp.clamp(idx[tid], 0, n - 1)`
(n = B.shape[0]) is in bounds, and so is any local assigned once from an
in-bounds form; a kernel without wp.tid() may store into element 0 (every
thread stores the same value).

Usage: gen_safety.py [--self-test] [--races] [--roles] < kernels.txt
"""
import ast
import re
import sys

HEADER = re.compile(r"^# kernel (\d+): (\S+) \((\S+)\)$")
ARRAY_CTORS = {"array": 1, "array1d": 1, "array2d": 2, "array3d": 3, "array4d": 4,
               "indexedarray": 1, "indexedarray1d": 1, "fabricarray": 1}
BUILTIN_NAMES = {"wp", "float", "int", "bool", "range", "True", "False", "None", "len", "print", "min", "max", "abs"}
CASTS = {"float", "int", "float32", "float64", "float16", "int32", "int64", "uint32", "uint64", "int8", "uint8",
         "int16", "uint16"}
#: Names the generator feeds to *_query_next: results of a geometry query.
#: Largest loop bound literal the generator writes is 44 (range(a, b + 4, s));
#: anything above 64 is no longer "a few dozen iterations".
MAX_TRIPS = 64
QUERY_NEXT = {"hash_grid_query_next", "bvh_query_next", "mesh_query_aabb_next", "mesh_query_next"}


def walk(node):
    """The nodes of node's tree in ast.walk's order (breadth first, fields in
    order), as a list: about twice as fast as ast.walk's generator, which
    was most of this checker's time."""
    out = [node]
    i = 0
    while i < len(out):
        n = out[i]
        i += 1
        for f in n._fields:
            v = getattr(n, f, None)
            if isinstance(v, ast.AST):
                out.append(v)
            elif isinstance(v, list):
                out.extend(x for x in v if isinstance(x, ast.AST))
    return out


def dotted(node):
    """'a' for a Name, 'cfg.table' for an attribute of a Name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id + "." + node.attr
    return None


def wp_name(node):
    """'sqrt' for wp.sqrt, 'float' for float, else None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "wp":
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def call_name(node):
    return wp_name(node.func) if isinstance(node, ast.Call) else None


def same(a, b):
    return ast.dump(a) == ast.dump(b)


class Kernel:
    def __init__(self, name, category, src):
        self.name, self.category, self.src = name, category, src
        self.lines = src.splitlines()
        self.violations = []
        self.consts = {}  # module-level int constants (tile shapes)
        self.struct_arrays = {}  # @wp.struct name -> {array field: ndim}
        self.module_names = set()


class Checker:
    def __init__(self, races=False, roles=False):
        self.races = races
        self.roles = roles
        self.warnings = []
        self.counts = {k: 0 for k in ("kernels", "subscripts", "atomics", "stores", "divisions", "guarded calls", "shifts",
                                      "loops", "names", "components", "conversions", "roles", "racy arrays")}
        self.violations = []

    # ----------------------------------------------------------- literals
    def num(self, k, node):
        """The value of a numeric literal form, else None: 3, 2.5, -1.0,
        wp.float64(2.5), float(3.0), wp.uint32(7), a module int constant."""
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = self.num(k, node.operand)
            return -v if v is not None else None
        if isinstance(node, ast.Call) and call_name(node) in CASTS and len(node.args) == 1 and not node.keywords:
            return self.num(k, node.args[0])
        if isinstance(node, ast.Name) and node.id in k.consts:
            return k.consts[node.id]
        return None

    def pos_lit(self, k, node):
        v = self.num(k, node)
        return v is not None and v > 0

    # -------------------------------------------------- sign predicates
    def nonneg(self, k, e):
        """e >= 0 (or NaN) whatever its operands hold."""
        v = self.num(k, e)
        if v is not None:
            return v >= 0
        n = call_name(e)
        # |x|, norms: non-negative by definition
        if n in ("abs", "length", "length_sq") and len(e.args) == 1:
            return True
        # dot(x, x), ddot(m, m): a squared norm (core_matrix's normalisation)
        if n in ("dot", "ddot") and len(e.args) == 2 and same(e.args[0], e.args[1]):
            return True
        # max(x, c) with c >= 0 is >= c
        if n == "max" and len(e.args) == 2:
            return self.nonneg(k, e.args[0]) or self.nonneg(k, e.args[1])
        if isinstance(e, ast.BinOp):
            # y * y: a square (gen_dup_square writes the same leaf twice)
            if isinstance(e.op, ast.Mult) and same(e.left, e.right):
                return True
            if isinstance(e.op, ast.Add):
                return self.nonneg(k, e.left) and self.nonneg(k, e.right)
        return False

    def positive(self, k, e):
        """e > 0: a positive literal, nonneg + positive, max(x, c > 0).
        Floats only grow by adding (an overflow gives +inf, never 0)."""
        if self.pos_lit(k, e):
            return True
        n = call_name(e)
        if n == "max" and len(e.args) == 2:
            return self.positive(k, e.args[0]) or self.positive(k, e.args[1])
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
            return (self.nonneg(k, e.left) and self.positive(k, e.right)) or \
                   (self.positive(k, e.left) and self.nonneg(k, e.right))
        return False

    def unit(self, k, e):
        """e in [-1, 1]: clamp to literal bounds within [-1, 1], tanh, sin, cos."""
        n = call_name(e)
        if n == "clamp" and len(e.args) == 3:
            lo, hi = self.num(k, e.args[1]), self.num(k, e.args[2])
            return lo is not None and hi is not None and -1 <= lo <= hi <= 1
        if n in ("tanh", "sin", "cos") and len(e.args) == 1:
            return True
        v = self.num(k, e)
        return v is not None and -1 <= v <= 1

    def nonzero_denominator(self, k, d):
        # sqrt of a positive form: core_matrix's m / wp.sqrt(wp.ddot(m, m) + 1.0)
        if call_name(d) == "sqrt" and len(d.args) == 1 and self.positive(k, d.args[0]):
            return True
        v = self.num(k, d)
        if v is not None:
            # a literal: nonzero, and an int literal is not -1 (INT_MIN // -1)
            return v != 0 and not (isinstance(v, int) and v == -1)
        # gen_div: (wp.abs(e) + L), (y * y + L) with L > 0. For int32 the
        # generator uses L = 1: y*y + 1 is never 0 or -1 modulo 2^32 (-1, -2
        # are no squares mod 4), |e| + 1 is in [1, INT_MAX] or INT_MIN + 1.
        # For int literals we therefore demand L == 1 after a square.
        if isinstance(d, ast.BinOp) and isinstance(d.op, ast.Add):
            lv = self.num(k, d.right)
            if lv is None or lv <= 0:
                return False
            left = d.left
            if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Mult) and same(left.left, left.right):
                return not isinstance(lv, int) or lv == 1
            if call_name(left) == "abs":
                return not isinstance(lv, int) or lv < 2 ** 30
            return False
        # style_expr.c: x / wp.max(d, L) with L > 0 a literal: the denominator is >= L
        if call_name(d) == "max" and len(d.args) == 2 and self.pos_lit(k, d.args[1]):
            return True
        # wp.block_dim(): a block has at least one thread
        if call_name(d) == "block_dim" and not d.args:
            return True
        # A.shape[d] of an array parameter: the launch dimension equals every
        # array's shape, and a launch has at least one thread per dimension.
        return self.shape_of(k, d) is not None

    # --------------------------------------------------------- arrays
    def shape_of(self, k, node):
        """(array, dim) for A.shape[d] with A an array parameter."""
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape" \
                and dotted(node.value.value) in self.arrays \
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int):
            return dotted(node.value.value), node.slice.value
        return None

    def assigned_once(self, name):
        """The value of a local written by exactly one `name = value`, else None."""
        ws = self.writes.get(name, [])
        if len(ws) == 1 and isinstance(ws[0], ast.Assign) and len(ws[0].targets) == 1 \
                and isinstance(ws[0].targets[0], ast.Name):
            return ws[0].value
        return None

    def any_shape(self, k, node, d):
        """B.shape[d] of any array parameter with d dimensions or more, or a
        local assigned it once (`n = body_q.shape[0]`)."""
        if isinstance(node, ast.Name) and self.assigned_once(node.id) is not None:
            node = self.assigned_once(node.id)
        s = self.shape_of(k, node)
        return s is not None and s[1] == d and self.arrays.get(s[0], 0) > d

    def is_shape(self, k, node, arr, d):
        return self.shape_of(k, node) == (arr, d)

    def is_shape_minus1(self, k, node, arr, d):
        return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and self.is_shape(k, node.left, arr, d) \
            and self.num(k, node.right) == 1

    def small_nonneg_int(self, k, node):
        v = self.num(k, node)
        return isinstance(v, int) and 0 <= v <= 64

    def index_ok(self, k, idx, arr, d):
        """Is idx in [0, arr.shape[d])? T is the tid component of dimension
        d; v any index variable (an int >= 0: tid components, loop and while
        counters, query results); every array has the launch's shape
        (gen_index1 comment, gen_setup_grid, gen_setup_tile), so T < shape[d]."""
        T = self.tids[d] if d < len(self.tids) else None
        idxv = self.index_vars
        if isinstance(idx, ast.Name):
            # tid component d: T < launch dim d == arr.shape[d]. In tiled
            # kernels T is a tile coordinate, below shape[d] / TILE <= shape[d].
            if idx.id == T:
                return True
            # style_real.c: a local assigned once, from a proven index form
            # (`j = wp.clamp(idx[tid], 0, n - 1)`), is that index
            v = self.assigned_once(idx.id)
            if v is not None and self.index_depth < 4:
                self.index_depth += 1
                ok = self.index_ok(k, v, arr, d)
                self.index_depth -= 1
                return ok
            return False
        if self.num(k, idx) == 0:
            # literal 0 (atomics): every array has >= 1 element
            return True
        if isinstance(idx, ast.BinOp):
            # shape[d] - 1 - T: the mirror of T, in [0, shape[d])
            if isinstance(idx.op, ast.Sub) and isinstance(idx.right, ast.Name) and idx.right.id == T \
                    and self.is_shape_minus1(k, idx.left, arr, d):
                return True
            if isinstance(idx.op, ast.Mod) and self.is_shape(k, idx.right, arr, d):
                x = idx.left
                # v % shape[d] and (v + k) % shape[d], v >= 0, k >= 0 small
                if isinstance(x, ast.Name) and x.id in idxv:
                    return True
                if isinstance(x, ast.BinOp) and isinstance(x.op, ast.Add) and isinstance(x.left, ast.Name) \
                        and x.left.id in idxv and (self.small_nonneg_int(k, x.right) or
                                                   (isinstance(x.right, ast.Name) and x.right.id in idxv)):
                    # (v + k) or (tid + i) (gen_accum): both >= 0, small
                    return True
                # core_geometry.c index_term: wp.abs(q) % shape[d], q a query result
                # index (>= 0 by Warp's query API; abs() is a no-op on it)
                if call_name(x) == "abs" and len(x.args) == 1 and isinstance(x.args[0], ast.Name) \
                        and x.args[0].id in self.query_vars:
                    return True
                return False
            # T // k, k >= 1: in [0, T]
            if isinstance(idx.op, ast.FloorDiv) and isinstance(idx.left, ast.Name) and idx.left.id == T:
                v = self.num(k, idx.right)
                return isinstance(v, int) and v >= 1
            return False
        n = call_name(idx)
        if n == "clamp" and len(idx.args) == 3:
            # style_real.c gathers: wp.clamp(x, 0, B.shape[d] - 1) is in
            # [0, shape[d]) for any int x; every array has the launch's shape
            hi = idx.args[2]
            return self.num(k, idx.args[1]) == 0 and isinstance(hi, ast.BinOp) and isinstance(hi.op, ast.Sub) \
                and self.num(k, hi.right) == 1 and self.any_shape(k, hi.left, d)
        if n == "min" and len(idx.args) == 2:
            # wp.min(v + k, shape[d] - 1): v + k >= 0, so in [0, shape[d])
            x, b = idx.args
            if not self.is_shape_minus1(k, b, arr, d):
                return False
            if isinstance(x, ast.Name) and x.id in idxv:
                return True
            return isinstance(x, ast.BinOp) and isinstance(x.op, ast.Add) and isinstance(x.left, ast.Name) \
                and x.left.id in idxv and self.small_nonneg_int(k, x.right)
        if n == "max" and len(idx.args) == 2:
            # wp.max(T - k, 0): in [0, T]
            x, b = idx.args
            return self.num(k, b) == 0 and isinstance(x, ast.BinOp) and isinstance(x.op, ast.Sub) \
                and isinstance(x.left, ast.Name) and x.left.id == T and self.small_nonneg_int(k, x.right)
        return False

    def store_index_ok(self, k, idx, arr, d):
        """gen_index1 mode 1: stores use T or shape[d] - 1 - T only."""
        T = self.tids[d] if d < len(self.tids) else None
        if not self.tids:
            # style_real.c: a kernel without wp.tid() computes the same values
            # in every thread (no thread index, no accumulator read: --style
            # realistic's roles), so they all store one value into element 0
            return self.num(k, idx) == 0
        if isinstance(idx, ast.Name):
            return idx.id == T
        return isinstance(idx, ast.BinOp) and isinstance(idx.op, ast.Sub) and isinstance(idx.right, ast.Name) \
            and idx.right.id == T and self.is_shape_minus1(k, idx.left, arr, d)

    def dims_of(self, sl):
        return list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]

    # ------------------------------------------------------ reporting
    def bad(self, k, rule, node):
        line = k.lines[node.lineno - 1].strip() if getattr(node, "lineno", None) else "?"
        k.violations.append("kernel %s: %s: %s" % (k.name, rule, line))

    # ---------------------------------------------------- expressions
    def check_expr_tree(self, k, root):
        for node in walk(root):
            if isinstance(node, ast.Subscript):
                self.check_subscript(k, node)
            elif isinstance(node, ast.BinOp):
                if isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
                    self.counts["divisions"] += 1
                    if not self.div_ok(k, node.right, node):
                        self.bad(k, "division", node)
                elif isinstance(node.op, (ast.LShift, ast.RShift)):
                    self.counts["shifts"] += 1
                    if not self.shift_ok(k, node):
                        self.bad(k, "shift", node)
            elif isinstance(node, ast.Call):
                self.check_call(k, node)

    def div_ok(self, k, d, node):
        # core_tile.c's range(wp.min(a.shape[1] // TILE_K, K)) passes as a literal:
        # num() reads the module constant TILE_K (wp.constant(8) or 8).
        return self.nonzero_denominator(k, d)

    def shift_ok(self, k, node):
        amt = node.right
        v = self.num(k, amt)
        if isinstance(node.op, ast.LShift):
            # gen_shift_op: (e & 65535) << k, k in [0, 15]; (e & 255) << (e & 15):
            # a masked non-negative value shifted < 16: no overflow, no UB
            left = node.left
            if not (isinstance(left, ast.BinOp) and isinstance(left.op, ast.BitAnd)):
                return False
            mask = self.num(k, left.right)
            if mask is None or mask < 0:
                return False
            if v is not None:
                return isinstance(v, int) and 0 <= v and (mask << v) < 2 ** 31
            return isinstance(amt, ast.BinOp) and isinstance(amt.op, ast.BitAnd) and \
                self.num(k, amt.right) is not None and 0 <= self.num(k, amt.right) and \
                (mask << self.num(k, amt.right)) < 2 ** 31
        # e >> k, k in [1, 31]; e >> (e & 31)
        if v is not None:
            return isinstance(v, int) and 0 <= v <= 31
        m = self.num(k, amt.right) if isinstance(amt, ast.BinOp) and isinstance(amt.op, ast.BitAnd) else None
        return m is not None and 0 <= m <= 31

    INT_CTORS = {"int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
    FLOAT_CTORS = {"float", "float16", "float32", "float64"}

    def visibly_float(self, k, e):
        """Contains a float literal, a float array read or a float conversion."""
        for x in walk(e):
            if isinstance(x, ast.Constant) and type(x.value) is float:
                return True
            if isinstance(x, ast.Call) and call_name(x) in self.FLOAT_CTORS:
                return True
            if isinstance(x, ast.Subscript) and dotted(x.value) in self.float_arrays:
                return True
        return False

    def clamped_to_int(self, k, e):
        """wp.clamp(x, lo, hi) with literal bounds inside int32."""
        if call_name(e) != "clamp" or len(e.args) != 3:
            return False
        lo, hi = self.num(k, e.args[1]), self.num(k, e.args[2])
        return lo is not None and hi is not None and -2 ** 31 < lo <= hi < 2 ** 31 - 128

    def check_call(self, k, node):
        n = call_name(node)
        a = node.args
        if n in self.INT_CTORS and len(a) == 1 and not node.keywords and self.num(k, a[0]) is None \
                and self.visibly_float(k, a[0]):
            self.counts["conversions"] += 1
            if not self.clamped_to_int(k, a[0]):
                self.bad(k, "conversion", node)
            return
        if n and n.startswith("atomic_") and a and dotted(a[0]) in self.arrays:
            # wp.atomic_*(arr, i [, j ...], value...): the indices follow the
            # array, one per dimension (gen_index1 mode 2: any in-bounds form)
            arr = dotted(a[0])
            self.counts["subscripts"] += 1
            self.counts["atomics"] += 1
            idx = a[1:1 + self.arrays[arr]]
            if len(a) < 2 + self.arrays[arr] or not all(self.index_ok(k, i, arr, d) for d, i in enumerate(idx)):
                self.bad(k, "index", node)
            return
        if n in ("sqrt", "log", "log2", "log10", "pow", "acos", "asin", "inverse", "randi", "cw_div", "div", "mod",
                 "atanh", "acosh", "erfinv", "erfcinv", "poisson", "pnoise", "smoothstep", "curlnoise", "floordiv",
                 "lshift", "rshift"):
            self.counts["guarded calls"] += 1
        else:
            return
        ok = False
        if n == "sqrt":
            # expr_builtin.c: sqrt(|e|), sqrt(max(e, 0)), sqrt(|e| + L)
            ok = len(a) == 1 and self.nonneg(k, a[0])
        elif n in ("log", "log2", "log10"):
            # expr_builtin.c: log(|e| + 1), log10(|e| + L), log(max(e, L))
            ok = len(a) == 1 and self.positive(k, a[0])
        elif n == "pow":
            # expr_builtin.c: pow(|e|, P) with P > 0 literal; pow(L, clamp(e)),
            # pow(|e| + 1, sin(e)): a positive base takes any exponent
            ok = len(a) == 2 and (self.positive(k, a[0]) or (self.nonneg(k, a[0]) and self.pos_lit(k, a[1])))
        elif n in ("acos", "asin"):
            # expr_builtin.c: acos(clamp(e, -1.0, 1.0)), acos(tanh(e))
            ok = len(a) == 1 and self.unit(k, a[0])
        elif n == "inverse":
            ok = len(a) == 1 and self.invertible(k, a[0])
        elif n == "randi":
            # expr_leaf.c: randi(s) (full range) or randi(s, lo, hi) with lo < hi
            if len(a) == 1:
                ok = True
            elif len(a) == 3:
                lo, hi = self.num(k, a[1]), self.num(k, a[2])
                ok = lo is not None and hi is not None and lo < hi
        elif n == "cw_div":
            # expr_builtin.c: cw_div(x, cw_mul(v, v) + vecN(1.0)): every component >= 1
            ok = len(a) == 2 and self.vec_positive(k, a[1])
        elif n in ("div", "mod", "floordiv"):
            ok = len(a) == 2 and self.nonzero_denominator(k, a[1])
        elif n in ("erfinv", "erfcinv"):
            # style_bridge.c: erfinv(clamp(e, lo, hi)) inside (-1, 1), erfcinv inside (0, 2)
            e = a[0] if len(a) == 1 else None
            lo = hi = None
            if e is not None and call_name(e) == "clamp" and len(e.args) == 3:
                lo, hi = self.num(k, e.args[1]), self.num(k, e.args[2])
            edge = (-1.0, 1.0) if n == "erfinv" else (0.0, 2.0)
            ok = lo is not None and hi is not None and edge[0] < lo <= hi < edge[1]
        elif n in ("lshift", "rshift"):
            # style_bridge.c: rshift(e, k), lshift(bit_and(e, M), k): 0 <= k < 32, M << k < 2**31
            sh = self.num(k, a[1]) if len(a) == 2 else None
            ok = isinstance(sh, int) and 0 <= sh < 32
            if ok and n == "lshift":
                m = a[0]
                mask = self.num(k, m.args[1]) if call_name(m) == "bit_and" and len(m.args) == 2 else None
                ok = isinstance(mask, int) and 0 <= mask and (mask << sh) < 2 ** 31
        elif n == "poisson":
            # expr_leaf.c: poisson(s, lam) with lam a positive literal
            ok = len(a) == 2 and self.pos_lit(k, a[1])
        elif n == "pnoise":
            # expr_leaf.c: pnoise(s, f, K), K in [2, 16]: the period is a modulus
            ok = len(a) >= 3 and all(self.pos_lit(k, x) and isinstance(self.num(k, x), int) for x in a[2:])
        elif n == "smoothstep":
            # expr_builtin.c: smoothstep(0.0, 1.0, e): divides by edge1 - edge0
            ok = len(a) == 3 and self.num(k, a[0]) is not None and self.num(k, a[1]) is not None \
                and self.num(k, a[0]) != self.num(k, a[1])
        elif n == "curlnoise":
            # expr_leaf.c: curlnoise(s, v, wp.uint32(octaves >= 1), lacunarity, gain)
            ok = len(a) == 2 or (len(a) == 5 and self.pos_lit(k, a[2]))
        if n in ("div", "mod", "floordiv"):
            self.counts["divisions"] += 1
        if not ok:
            self.bad(k, "guarded %s" % n, node)

    def vec_positive(self, k, e):
        """cw_mul(v, v) + vecN(c) with c > 0: each component is v_i^2 + c."""
        if not (isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add)):
            return False
        m, c = e.left, e.right
        return call_name(m) == "cw_mul" and len(m.args) == 2 and same(m.args[0], m.args[1]) and \
            isinstance(c, ast.Call) and len(c.args) == 1 and self.pos_lit(k, c.args[0]) and \
            (call_name(c) or "").startswith("vec")

    def invertible(self, k, e):
        """expr_builtin.c: inverse(identity(n) + outer(v, v) * L), L > 0 (eigenvalues
        1 and 1 + L|v|^2), inverse(diag(cw_mul(v, v) + vecN(1.0))) (diagonal
        entries >= 1)."""
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add) and call_name(e.left) == "identity":
            o = e.right
            if isinstance(o, ast.BinOp) and isinstance(o.op, ast.Mult) and call_name(o.left) == "outer" \
                    and len(o.left.args) == 2 and same(o.left.args[0], o.left.args[1]) and self.pos_lit(k, o.right):
                return True
            return False
        if call_name(e) == "diag" and len(e.args) == 1:
            return self.vec_positive(k, e.args[0])
        return False

    def check_subscript(self, k, node):
        base = node.value
        if dotted(base) in self.arrays:
            arr = dotted(base)
            ndim = self.arrays[arr]
            idx = self.dims_of(node.slice)
            self.counts["subscripts"] += 1
            if len(idx) != ndim:
                self.bad(k, "index (%d of %d dims)" % (len(idx), ndim), node)
                return
            for d, i in enumerate(idx):
                if not self.index_ok(k, i, arr, d):
                    self.bad(k, "index", node)
                    return
            if isinstance(node.ctx, ast.Store):
                self.counts["stores"] += 1
                if not all(self.store_index_ok(k, i, arr, d) for d, i in enumerate(idx)):
                    self.bad(k, "store", node)
            return
        # A.shape[d]: d below A's dimensions
        if isinstance(base, ast.Attribute) and base.attr == "shape" and dotted(base.value) in self.arrays:
            v = self.num(k, node.slice)
            if not (isinstance(v, int) and 0 <= v < self.arrays[dotted(base.value)]):
                self.bad(k, "index (shape)", node)
            return
        # a vector / matrix / tile / struct component: constant indices
        self.counts["components"] += 1
        ok = True
        for i in self.dims_of(node.slice):
            v = self.num(k, i)
            if not (isinstance(v, int) and v >= 0):
                ok = False
        n = call_name(base)
        if ok and n and re.fullmatch(r"vec([234])", n):
            ok = all(self.num(k, i) < int(n[3]) for i in self.dims_of(node.slice))
        if not ok:
            self.bad(k, "component", node)

    # ----------------------------------------------------- statements
    def range_ok(self, k, call):
        """gen_for_head: K | a, b | a, b, s | b, a, -s | wp.min(n, K) |
        wp.min(arr.shape[0], K) | i | i, K | i + 1 (i an enclosing counter);
        core_tile.c: wp.min(a.shape[1] // TILE_K, K). Returns (bounded, counter_nonneg)."""
        if call_name(call) != "range" or not call.args or len(call.args) > 3 or call.keywords:
            return False, False

        def bounded(e):
            # literals up to MAX_TRIPS: gen_for_head draws at most 4 * 10 + 4,
            # core_tile.c 16, core_scalar.c wp.min(p, 32)
            if isinstance(self.num(k, e), int):
                return abs(self.num(k, e)) <= MAX_TRIPS
            # an enclosing loop counter: itself bounded
            if isinstance(e, ast.Name) and e.id in self.loop_bounded:
                return True
            if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add) and isinstance(e.left, ast.Name) \
                    and e.left.id in self.loop_bounded and isinstance(self.num(k, e.right), int):
                return True
            # wp.min(x, K): at most K
            if call_name(e) == "min" and len(e.args) == 2 and isinstance(self.num(k, e.args[1]), int):
                return self.num(k, e.args[1]) <= MAX_TRIPS
            return False

        a = call.args
        if not all(bounded(e) for e in a):
            return False, False
        if len(a) == 3:
            s = self.num(k, a[2])
            if not isinstance(s, int) or s == 0:
                return False, False
            if s < 0:
                # range(b, a, -s): counters run down to > a
                stop = self.num(k, a[1])
                return True, isinstance(stop, int) and stop >= -1
        if len(a) == 1:
            return True, True
        start = a[0]
        sv = self.num(k, start)
        return True, (isinstance(sv, int) and sv >= 0) or (isinstance(start, ast.Name) and start.id in self.index_vars)

    def check_while(self, k, node):
        """gen_while: cnt = int(0); while cnt < K [and c]: ...; cnt += 1 (no
        continue of this loop: cont_ok = 0). gen_core_while: while cnt < K: or
        while True: with cnt += 1 first (then `if cnt > K: break`), so a
        continue never skips it. core_geometry.c: while wp.*_query_next(q, k): walks a
        finite query result (Warp's query iterators terminate)."""
        t = node.test
        if call_name(t) in QUERY_NEXT:
            return True
        cnt = None
        if isinstance(t, ast.BoolOp) and isinstance(t.op, ast.And):
            t = t.values[0]
        if isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.Lt) \
                and isinstance(t.left, ast.Name) and isinstance(self.num(k, t.comparators[0]), int) \
                and self.num(k, t.comparators[0]) <= MAX_TRIPS:
            cnt = t.left.id
            forever = False
        elif isinstance(t, ast.Constant) and t.value is True:
            forever = True
        else:
            return False
        body = node.body
        inc_at = None
        for j, s in enumerate(body):
            name = self.is_increment(s, cnt)
            if name:
                cnt, inc_at = name, j
                break
        if inc_at is None or cnt is None or cnt not in self.while_counters:
            return False
        check_at = None
        if forever:
            for j, s in enumerate(body):
                if isinstance(s, ast.If) and not s.orelse and len(s.body) == 1 and isinstance(s.body[0], ast.Break) \
                        and isinstance(s.test, ast.Compare) and len(s.test.ops) == 1 \
                        and isinstance(s.test.ops[0], (ast.Gt, ast.GtE)) and isinstance(s.test.left, ast.Name) \
                        and s.test.left.id == cnt and isinstance(self.num(k, s.test.comparators[0]), int) \
                        and self.num(k, s.test.comparators[0]) <= MAX_TRIPS:
                    check_at = j
                    break
            if check_at is None:
                return False
        first_safe = max(inc_at, check_at if check_at is not None else -1)
        # no `continue` of this loop before the increment (and the break check)
        for j, s in enumerate(body):
            if j <= first_safe and self.has_own_continue(s):
                return False
        # no other write of the counter inside the loop
        for s in body:
            for n in walk(s):
                if isinstance(n, (ast.Assign, ast.AugAssign)) and n is not body[inc_at]:
                    tg = n.targets if isinstance(n, ast.Assign) else [n.target]
                    if any(isinstance(x, ast.Name) and x.id == cnt for g in tg for x in walk(g)):
                        return False
        return True

    def is_increment(self, s, cnt):
        """cnt += 1 or cnt = cnt + 1; returns the name."""
        if isinstance(s, ast.AugAssign) and isinstance(s.op, ast.Add) and isinstance(s.target, ast.Name) \
                and isinstance(s.value, ast.Constant) and s.value.value == 1 and (cnt is None or s.target.id == cnt):
            return s.target.id
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            n = s.targets[0].id
            v = s.value
            if (cnt is None or n == cnt) and isinstance(v, ast.BinOp) and isinstance(v.op, ast.Add) \
                    and isinstance(v.left, ast.Name) and v.left.id == n and isinstance(v.right, ast.Constant) \
                    and v.right.value == 1:
                return n
        return None

    def has_own_continue(self, s):
        """A continue of the enclosing loop (not of a loop nested in s)."""
        if isinstance(s, ast.Continue):
            return True
        if isinstance(s, (ast.For, ast.While)):
            return False
        return any(self.has_own_continue(c) for c in ast.iter_child_nodes(s) if isinstance(c, ast.stmt))

    # ----------------------------------------------------- functions
    def array_ndim(self, k, ann):
        """Dimensions of an array annotation (wp.array(dtype=.., ndim=2),
        wp.array2d(...), wp.indexedarray(...), ...), else None."""
        if isinstance(ann, ast.Call) and call_name(ann) in ARRAY_CTORS:
            nd = ARRAY_CTORS[call_name(ann)]
            for kw in ann.keywords:
                if kw.arg == "ndim":
                    nd = self.num(k, kw.value)
            return nd
        # the subscript form real code writes: wp.array[float], wp.array2d[wp.vec3]
        if isinstance(ann, ast.Subscript) and wp_name(ann.value) in ARRAY_CTORS:
            return ARRAY_CTORS[wp_name(ann.value)]
        return None

    @staticmethod
    def array_dtype(ann):
        """The dtype node of an array annotation, either form."""
        if isinstance(ann, ast.Subscript):
            return ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        dt = [kw.value for kw in getattr(ann, "keywords", []) if kw.arg == "dtype"]
        return dt[0] if dt else None

    def check_function(self, k, fn):
        self.fn_nodes = nodes = walk(fn)
        self.arrays = {}
        self.float_arrays = set()
        params = set()
        for a in fn.args.args:
            params.add(a.arg)
            ann = a.annotation
            nd = self.array_ndim(k, ann)
            if nd is not None:
                self.arrays[a.arg] = nd
                dt = self.array_dtype(ann)
                if dt is not None and (wp_name(dt) in self.FLOAT_CTORS):
                    self.float_arrays.add(a.arg)
            # a @wp.struct parameter: its array fields, as "param.field"
            if isinstance(ann, ast.Name) and ann.id in k.struct_arrays:
                for f, fnd in k.struct_arrays[ann.id].items():
                    self.arrays[a.arg + "." + f] = fnd
        # tid components: `tid = wp.tid()` or `i, j = wp.tid()`
        self.tids = []
        for s in nodes:
            if isinstance(s, ast.Assign) and call_name(s.value) == "tid" and len(s.targets) == 1:
                tg = s.targets[0]
                self.tids = [tg.id] if isinstance(tg, ast.Name) else [e.id for e in tg.elts]
        # Writes of every name, to prove index variables are never clobbered.
        writes = {}
        for s in nodes:
            if isinstance(s, ast.Assign):
                for tg in s.targets:
                    for x in walk(tg):
                        if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Store):
                            writes.setdefault(x.id, []).append(s)
            elif isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
                writes.setdefault(s.target.id, []).append(s)
            elif isinstance(s, ast.For) and isinstance(s.target, ast.Name):
                writes.setdefault(s.target.id, []).append(s)

        self.writes = writes
        self.index_depth = 0

        def zero_init(s):
            return isinstance(s, ast.Assign) and (self.num(k, s.value) == 0)

        # while counters: `c = int(0)`, else only `c += 1` / `c = c + 1`
        self.while_counters = set()
        for n, ws in writes.items():
            if any(zero_init(w) for w in ws) and all(zero_init(w) or self.is_increment(w, n) for w in ws) \
                    and any(self.is_increment(w, n) for w in ws):
                self.while_counters.add(n)
        # query result indices: `k = int(0)`, then only written by *_query_next(q, k)
        self.query_vars = set()
        for s in nodes:
            if isinstance(s, ast.While) and call_name(s.test) in QUERY_NEXT and len(s.test.args) == 2 \
                    and isinstance(s.test.args[1], ast.Name):
                q = s.test.args[1].id
                if all(zero_init(w) for w in writes.get(q, [])):
                    self.query_vars.add(q)
        # index variables: ints >= 0. tid components are never reassigned;
        # for counters are checked (nonneg range) while walking.
        self.index_vars = set()
        for t in self.tids:
            if len(writes.get(t, [])) == 1:
                self.index_vars.add(t)
        self.index_vars |= self.while_counters | self.query_vars
        # core_dtypes.c: `lane = tid % wp.block_dim()`, written once: in [0, block_dim)
        for n, ws in writes.items():
            if len(ws) == 1 and isinstance(ws[0], ast.Assign) and isinstance(ws[0].value, ast.BinOp) \
                    and isinstance(ws[0].value.op, ast.Mod) and isinstance(ws[0].value.left, ast.Name) \
                    and ws[0].value.left.id in self.index_vars and call_name(ws[0].value.right) == "block_dim":
                self.index_vars.add(n)
        self.loop_bounded = set(self.while_counters)
        self.signed_loops = set()
        defined = set(params) | k.module_names | BUILTIN_NAMES
        self.seen = set(defined)
        self.walk_body(k, fn.body, defined, writes)
        if self.races:
            self.check_races(k, fn)
        if self.roles and any(wp_name(d) == "kernel" or call_name(d) == "kernel" for d in fn.decorator_list):
            self.check_roles(k, fn)

    def check_roles(self, k, fn):
        """--style realistic (style.h): well defined by construction. Each
        array parameter is an input (only read), an output (only stored, at
        the thread's own element by the store rule, never read) or an
        accumulator (only atomics of one commutative kind, add/sub or min or
        max, never read nor stored); loop-carried values only add; no
        wp.frac, wp.mod or % but by an int literal or a shape."""
        use = {a: {"load": 0, "store": 0, "atomic": set()} for a in self.arrays}
        for n in self.fn_nodes:
            if isinstance(n, ast.Subscript) and dotted(n.value) in use:
                use[dotted(n.value)]["store" if isinstance(n.ctx, ast.Store) else "load"] += 1
            elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Subscript) and dotted(n.target.value) in use:
                u = use[dotted(n.target.value)]
                u["store"] -= 1  # counted as a Store above: an atomic add in Warp
                u["atomic"].add("add" if isinstance(n.op, (ast.Add, ast.Sub)) else type(n.op).__name__)
            elif call_name(n) and call_name(n).startswith("atomic_") and n.args and dotted(n.args[0]) in use:
                op = call_name(n)[7:]
                use[dotted(n.args[0])]["atomic"].add("add" if op in ("add", "sub") else op)
            elif call_name(n) in ("frac", "mod"):
                self.bad(k, "role (wp.%s in a differentiable kernel)" % call_name(n), n)
            elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) and not (
                    isinstance(self.num(k, n.right), int) or self.shape_of(k, n.right) is not None):
                self.bad(k, "role (% of a float)", n)
            elif isinstance(n, (ast.For, ast.While)):
                for s in walk(n):
                    if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name) \
                            and not isinstance(s.op, (ast.Add, ast.Sub)):
                        self.bad(k, "role (loop-carried %s)" % type(s.op).__name__, s)
        for a, u in use.items():
            self.counts["roles"] += 1
            if u["store"] and (u["load"] or u["atomic"]):
                self.bad(k, "role (output %s also %s)" % (a, "read" if u["load"] else "updated atomically"), fn)
            elif u["atomic"] and u["load"]:
                self.bad(k, "role (accumulator %s read)" % a, fn)
            elif len(u["atomic"]) > 1:
                self.bad(k, "role (accumulator %s: atomics of kinds %s)" % (a, sorted(u["atomic"])), fn)

    def check_races(self, k, fn):
        """Informational (--races): an array stored by plain stores is
        race-free only if every access to it (store, read, atomic) uses one
        and the same index form. Thread t's a[tid] and thread n-1-t's
        a[a.shape[0] - 1 - tid] hit one element; so does a neighbour read."""
        acc = {}
        for n in self.fn_nodes:
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id in self.arrays:
                key = ast.dump(n.slice)
                acc.setdefault(n.value.id, []).append((isinstance(n.ctx, ast.Store), key, n))
            elif call_name(n) and call_name(n).startswith("atomic_") and n.args and isinstance(n.args[0], ast.Name) \
                    and n.args[0].id in self.arrays:
                arr = n.args[0].id
                key = ast.dump(ast.Tuple(elts=n.args[1:1 + self.arrays[arr]], ctx=ast.Load()))
                acc.setdefault(arr, []).append((False, "atomic " + key, n))
        for arr, lst in acc.items():
            stores = {key for st, key, _ in lst if st}
            if not stores:
                continue
            forms = {key for _, key, _ in lst}
            if len(stores) > 1 or len(forms) > 1:
                self.counts["racy arrays"] += 1
                first = next(n for st, key, n in lst if st)
                why = "stores at %d index forms" % len(stores) if len(stores) > 1 else "stored and accessed elsewhere"
                self.warnings.append("kernel %s: race %s (%s): %s" % (k.name, arr, why, k.lines[first.lineno - 1].strip()))

    @staticmethod
    def leaves(body):
        return bool(body) and isinstance(body[-1], (ast.Break, ast.Continue, ast.Return))

    def walk_body(self, k, body, defined, writes):
        for s in body:
            self.walk_stmt(k, s, defined, writes)

    def need(self, k, name, node, defined):
        """A read of name: "undefined" when no assignment precedes it in
        source order; "maybe-undefined" when the only ones sit in a block
        that may not run (an if without that branch, a loop body)."""
        self.counts["names"] += 1
        if name not in self.seen:
            self.bad(k, "undefined %s" % name, node)
        elif name not in defined:
            self.bad(k, "maybe-undefined %s" % name, node)

    def define(self, name, defined):
        defined.add(name)
        self.seen.add(name)

    def loads(self, k, node, defined):
        for n in walk(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                self.need(k, n.id, n, defined)

    def walk_stmt(self, k, s, defined, writes):
        if isinstance(s, ast.For):
            self.counts["loops"] += 1
            self.check_expr_tree(k, s.iter)
            self.loads(k, s.iter, defined)
            ok, nonneg = self.range_ok(k, s.iter) if isinstance(s.iter, ast.Call) else (False, False)
            if not ok or not isinstance(s.target, ast.Name):
                self.bad(k, "loop", s)
            else:
                v = s.target.id
                if len(writes.get(v, [])) == len([w for w in writes.get(v, []) if isinstance(w, ast.For)]):
                    # written only by for heads (each checked bounded here)
                    self.loop_bounded.add(v)
                    if nonneg and v not in self.signed_loops:
                        self.index_vars.add(v)
                    elif not nonneg:
                        # one head that may count below 0 spoils the name
                        self.signed_loops.add(v)
                        self.index_vars.discard(v)
            inner = set(defined)
            if isinstance(s.target, ast.Name):
                self.define(s.target.id, inner)
            # a loop may run zero times: nothing it assigns escapes it
            self.walk_body(k, s.body, inner, writes)
            self.walk_body(k, s.orelse, set(defined), writes)
            return
        if isinstance(s, ast.While):
            self.counts["loops"] += 1
            self.check_expr_tree(k, s.test)
            self.loads(k, s.test, defined)
            if not self.check_while(k, s):
                self.bad(k, "loop", s)
            self.walk_body(k, s.body, set(defined), writes)
            self.walk_body(k, s.orelse, set(defined), writes)
            return
        if isinstance(s, ast.If):
            self.check_expr_tree(k, s.test)
            self.loads(k, s.test, defined)
            a, b = set(defined), set(defined)
            self.walk_body(k, s.body, a, writes)
            self.walk_body(k, s.orelse, b, writes)
            # a name is defined after the if when both branches define it; a
            # branch that leaves (break, continue, return) does not join
            ja, jb = self.leaves(s.body), self.leaves(s.orelse)
            if ja and not jb:
                defined |= b
            elif jb and not ja:
                defined |= a
            elif not ja:
                defined |= a & b
            return
        if isinstance(s, (ast.FunctionDef, ast.ClassDef)):
            self.bad(k, "nested definition", s)
            return
        # simple statements: check every expression, loads before stores
        self.check_expr_tree(k, s)
        if isinstance(s, ast.Assign):
            self.loads(k, s.value, defined)
            for tg in s.targets:
                for x in walk(tg):
                    if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Load):
                        self.need(k, x.id, x, defined)
                # a struct field store `p.f = e` needs p defined
                if isinstance(tg, (ast.Attribute, ast.Subscript)):
                    root = tg
                    while isinstance(root, (ast.Attribute, ast.Subscript)):
                        root = root.value
                    if isinstance(root, ast.Name):
                        self.need(k, root.id, tg, defined)
            for tg in s.targets:
                for x in walk(tg):
                    if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Store):
                        self.define(x.id, defined)
        elif isinstance(s, ast.AugAssign):
            self.loads(k, s.value, defined)
            root = s.target
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                self.loads(k, root.slice, defined) if isinstance(root, ast.Subscript) else None
                root = root.value
            if isinstance(root, ast.Name):
                self.need(k, root.id, s, defined)
            if isinstance(s.op, (ast.Div, ast.FloorDiv, ast.Mod)):
                self.counts["divisions"] += 1
                if not self.div_ok(k, s.value, s):
                    self.bad(k, "division", s)
            # a read-modify-write a[i] += e: its target is a Store subscript,
            # checked by check_expr_tree with the store rule
        elif isinstance(s, (ast.Expr, ast.Return)):
            if s.value is not None:
                self.loads(k, s.value, defined)
        elif isinstance(s, (ast.Break, ast.Continue, ast.Pass)):
            pass
        else:
            self.bad(k, "unknown statement %s" % type(s).__name__, s)

    # -------------------------------------------------------- modules
    def check_kernel(self, k):
        self.counts["kernels"] += 1
        try:
            mod = ast.parse(k.src)
        except SyntaxError as e:
            k.violations.append("kernel %s: syntax: %s" % (k.name, e))
            return k.violations
        fns = []
        for s in mod.body:
            if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
                n = s.targets[0].id
                v = s.value
                if call_name(v) == "constant" and len(v.args) == 1:
                    v = v.args[0]
                if isinstance(v, ast.Constant) and isinstance(v.value, int):
                    k.consts[n] = v.value
                k.module_names.add(n)
            elif isinstance(s, (ast.FunctionDef, ast.ClassDef)):
                k.module_names.add(s.name)
                if isinstance(s, ast.ClassDef):
                    k.struct_arrays[s.name] = {
                        f.target.id: self.array_ndim(k, f.annotation) for f in s.body
                        if isinstance(f, ast.AnnAssign) and isinstance(f.target, ast.Name)
                        and self.array_ndim(k, f.annotation) is not None}
                if isinstance(s, ast.FunctionDef):
                    fns.append(s)
            elif isinstance(s, (ast.Import, ast.ImportFrom)):
                for a in s.names:
                    k.module_names.add((a.asname or a.name).split(".")[0])
            else:
                self.bad(k, "module statement", s)
        for fn in fns:
            self.check_function(k, fn)
        return k.violations


def split_kernels(text):
    out, cur = [], None
    for line in text.splitlines(keepends=True):
        m = HEADER.match(line.rstrip("\n"))
        if m:
            cur = [m.group(2), m.group(3), []]
            out.append(cur)
        elif cur is not None:
            cur[2].append(line)
    return [Kernel(n, c, "".join(l)) for n, c, l in out]


def run(text, quiet=False, races=False, roles=False):
    ch = Checker(races, roles)
    bad = []
    for k in split_kernels(text):
        bad += ch.check_kernel(k)
    if not quiet:
        for key, v in ch.counts.items():
            if (key != "racy arrays" or races) and (key != "roles" or roles):
                print("%s checked: %d" % (key, v) if key != "racy arrays" else "racy arrays (warning): %d" % v)
        for w in ch.warnings:
            print("warning: " + w)
        for b in bad:
            print(b)
        print("violations: %d" % len(bad))
    return ch, bad


PLANTED = {
    "raw_offset": ("index", "    a[tid] = a[tid + 1]\n"),
    "div_var": ("division", "    x = a[tid]\n    y = a[tid]\n    a[tid] = x / y\n"),
    "log_raw": ("guarded log", "    x = a[tid]\n    a[tid] = wp.log(x)\n"),
    "sqrt_shift": ("guarded sqrt", "    x = a[tid]\n    a[tid] = wp.sqrt(x - 1.0)\n"),
    "sqrt_dot_other": ("guarded sqrt", "    x = a[tid]\n    a[tid] = wp.sqrt(wp.dot(wp.vec2(x, 1.0), wp.vec2(1.0, x)))\n"),
    "div_sqrt_norm": ("division", "    x = a[tid]\n    a[tid] = x / wp.sqrt(wp.dot(wp.vec2(x, x), wp.vec2(x, x)))\n"),
    "erfinv_edge": ("guarded erfinv", "    x = a[tid]\n    a[tid] = wp.erfinv(wp.clamp(x, -1.0, 1.0))\n"),
    "floordiv_var": ("guarded floordiv", "    x = a[tid]\n    a[tid] = wp.floordiv(x, x)\n"),
    "lshift_raw": ("guarded lshift", "    k = int(a[tid])\n    a[tid] = float(wp.lshift(k, 2))\n"),
    "range_param": ("loop", "    for i in range(n):\n        a[tid] += 1.0\n"),
    "undefined": ("undefined", "    a[tid] = ghost + 1.0\n"),
    "while_nocount": ("loop", "    c = int(0)\n    while c < 5:\n        continue\n        c += 1\n"),
    "store_offset": ("store", "    a[wp.min(tid + 1, a.shape[0] - 1)] = 1.0\n"),
    "mod_var": ("division", "    a[tid] = float(n % tid)\n"),
    "asin_raw": ("guarded asin", "    a[tid] = wp.asin(a[tid])\n"),
    "shift_big": ("shift", "    n2 = n << 40\n"),
    "atomic_raw": ("index", "    wp.atomic_add(a, tid + 1, 1.0)\n"),
    "loop_huge": ("loop", "    for i in range(100000):\n        a[tid] += 1.0\n"),
    "maybe_undefined": ("maybe-undefined", "    if a[tid] > 0.0:\n        z = 1.0\n    a[tid] = z\n"),
    "index_2d_swapped": ("index", None),
    "float_to_int": ("conversion", "    m = int(a[tid] * 2.0)\n    a[tid] = float(m)\n"),
    "float_to_int_wide": ("conversion", "    m = wp.int32(wp.clamp(a[tid], -1.0e12, 1.0e12))\n    a[tid] = float(m)\n"),
}

#: --roles (style.h's well-definedness): planted breaches of the parameter
#: roles, each (rule, body) in a kernel of a: wp.array[float], acc: wp.array[float].
PLANTED_ROLES = {
    "output_read": ("role (output a also read)", "    a[tid] = a[tid] + 1.0\n"),
    "acc_read": ("role (accumulator acc read)", "    wp.atomic_add(acc, tid, 1.0)\n    a[tid] = acc[tid]\n"),
    "acc_kinds": ("role (accumulator acc: atomics", "    wp.atomic_add(acc, tid, 1.0)\n    wp.atomic_max(acc, tid, 2.0)\n"),
    "output_atomic": ("role (output a also updated", "    a[tid] = 1.0\n    wp.atomic_add(a, tid, 1.0)\n"),
    "loop_mult": ("role (loop-carried Mult)", "    s = float(1.0)\n    for i in range(4):\n        s *= 2.0\n    a[tid] = s\n"),
    "frac": ("role (wp.frac", "    a[tid] = wp.frac(1.5)\n"),
    "float_mod": ("role (% of a float)", "    x = float(tid)\n    a[tid] = 2.0 % x\n"),
}

SAFE_ROLES = """# kernel 0: safe_roles (atomic)
import warp as wp

@wp.kernel
def safe_roles(x: wp.array[wp.vec3], idx: wp.array[int], out: wp.array[wp.vec3], f: wp.array[wp.vec3]):
    tid = wp.tid()
    n = x.shape[0]
    j = wp.clamp(idx[tid], 0, n - 1)
    d = x[tid] - x[j]
    s = float(0.0)
    for k in range(4):
        s += wp.length(d) / wp.max(s, 1.0e-6)
    out[tid] = d * s
    wp.atomic_add(f, j, d)
    wp.atomic_sub(f, tid, d)


# kernel 1: one_thread (scalar_param)
import warp as wp

@wp.kernel
def one_thread(a: wp.array[float], total: wp.array[float], dt: float):
    v = a[0] * dt
    total[0] = v
"""

SAFE = """# kernel 0: safe_k (arithmetic)
import warp as wp

@wp.kernel
def safe_k(a: wp.array(dtype=float), b: wp.array2d(dtype=float), n: int):
    tid = wp.tid()
    x = a[tid] / (wp.abs(a[(tid + 3) % a.shape[0]]) + 1.0)
    y = wp.sqrt(wp.abs(x)) + wp.log(wp.abs(x) + 1.0) + wp.acos(wp.clamp(x, -1.0, 1.0))
    y = y / wp.sqrt(wp.dot(wp.vec2(x, y), wp.vec2(x, y)) + 1.0)
    for i in range(wp.min(n, 8)):
        y += a[wp.min(i + 2, a.shape[0] - 1)] / (x * x + 2.5)
    c = int(0)
    while c < 4:
        c += 1
        if y > 1.0:
            continue
        y += a[c % a.shape[0]]
    m = int(wp.clamp(y * 3.0, -1.0e6, 1.0e6)) + int(n + 2)
    a[a.shape[0] - 1 - tid] = y + a[wp.max(tid - 2, 0)] + float(n // 3) + float(m)
"""


def self_test():
    def kernel(name, body):
        return ("# kernel 0: %s (arithmetic)\nimport warp as wp\n\n@wp.kernel\n"
                "def %s(a: wp.array(dtype=float), n: int):\n    tid = wp.tid()\n%s" % (name, name, body))
    fails = 0
    for name, (rule, body) in PLANTED.items():
        if body is None:  # row used on dimension 1, col on dimension 0
            text = ("# kernel 0: %s (multi_dim)\nimport warp as wp\n\n@wp.kernel\n"
                    "def %s(a: wp.array2d(dtype=float)):\n    row, col = wp.tid()\n    a[row, col] = a[col, row]\n"
                    % (name, name))
        else:
            text = kernel(name, body)
        _, bad = run(text, quiet=True)
        hit = [b for b in bad if (": %s" % rule) in b]
        print("%s %s: %s" % ("ok:" if hit else "FAIL:", name, hit[0] if hit else "not flagged (%s)" % bad))
        fails += not hit
    for name, (rule, body) in PLANTED_ROLES.items():
        text = ("# kernel 0: %s (atomic)\nimport warp as wp\n\n@wp.kernel\n"
                "def %s(a: wp.array[float], acc: wp.array[float]):\n    tid = wp.tid()\n%s" % (name, name, body))
        _, bad = run(text, quiet=True, roles=True)
        hit = [b for b in bad if (": %s" % rule) in b]
        print("%s %s: %s" % ("ok:" if hit else "FAIL:", name, hit[0] if hit else "not flagged (%s)" % bad))
        fails += not hit
    ch, bad = run(SAFE_ROLES, quiet=True, roles=True)
    print("%s safe realistic kernels: %s" % ("ok:" if not bad else "FAIL:", bad or "no violation"))
    fails += bool(bad) + (ch.counts["roles"] != 6)
    ch, bad = run(SAFE, quiet=True)
    print("%s safe kernel: %s" % ("ok:" if not bad else "FAIL:", bad or "no violation"))
    fails += bool(bad)
    if ch.counts["subscripts"] < 6 or ch.counts["divisions"] < 4 or ch.counts["loops"] != 2:
        print("FAIL: safe kernel counts %s" % ch.counts)
        fails += 1
    print("self-test: %s" % ("passed" if not fails else "%d failures" % fails))
    return 1 if fails else 0


def main():
    if "--self-test" in sys.argv[1:]:
        return self_test()
    ch, bad = run(sys.stdin.read(), races="--races" in sys.argv[1:], roles="--roles" in sys.argv[1:])
    if ch.counts["kernels"] == 0:
        print("no kernels on stdin")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
