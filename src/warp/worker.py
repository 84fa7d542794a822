"""jitsynth's Warp bridge: the only Python in jitsynth.

A long-lived worker started by the C worker pool (src/warp/pool.c). It imports
Warp once, then reads request frames on stdin and answers on stdout. Per kernel
it builds the source as its own Warp module (source at line 1, so line labels
and hashes never depend on batching), runs Warp's code generator once per
requested device, and releases everything Warp registered for that module.

Wire format (both directions): u32 little-endian payload length, then payload.
  request  'K' u64 index, u8 devices (bit 0 cpu, bit 1 cuda), str name, str source
           'I' u64 index, str JSON  (jitsynth ingest: answered by ingest.py as 'O' + one str)
  replies  'R' str warp_version, str native_include_dir        (once, at start)
           'O' u64 index, then one str per requested device, cpu first
           'E' u64 index, str message                          (Warp rejected it)
           'F' str message                                     (cannot start; exits 3)
where str = u32 length + UTF-8 bytes. Warp's private API (ModuleBuilder,
ModuleHasher, user_modules, Module._detach_references) is used in
build_module() and release() only, pinned to warp-lang 1.19.0 and covered by
the test suite.
"""

import gc
import linecache
import os
import signal
import struct
import sys
import time
import types

# Warp imports numpy, whose OpenBLAS starts a thread per core at import: a
# third of a worker's start-up CPU (0.35 -> 0.24 s here, more on a machine
# of many cores), for a library the code generator never calls.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

DEV_CPU = 1
DEV_CUDA = 2

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


def read_exact(stream, n):
    data = stream.read(n)
    if data is None or len(data) != n:
        return None
    return data


def send(out, payload):
    out.write(_U32.pack(len(payload)) + payload)
    out.flush()


def pack_str(s):
    data = s.encode("utf-8", "replace")
    return _U32.pack(len(data)) + data


def unpack_str(payload, pos):
    (n,) = _U32.unpack_from(payload, pos)
    pos += 4
    return payload[pos : pos + n].decode("utf-8"), pos + n


def test_hooks(index, out):
    """Fault injection for the robustness tests. JITSYNTH_TEST_{HANG,CRASH,
    GARBAGE}=INDEX[:MARKER] makes the worker hang, die, or write junk on its
    frame channel when it reaches kernel INDEX; with MARKER, only once (the
    marker file records that it fired)."""
    for var in ("JITSYNTH_TEST_HANG", "JITSYNTH_TEST_CRASH", "JITSYNTH_TEST_GARBAGE"):
        spec = os.environ.get(var)
        if not spec:
            continue
        at, _, marker = spec.partition(":")
        if int(at) != index or (marker and os.path.exists(marker)):
            continue
        if marker:
            open(marker, "w").close()
        if var.endswith("HANG"):
            while True:
                time.sleep(60)
        elif var.endswith("CRASH"):
            os._exit(9)
        else:
            out.write(b"Traceback (most recent call last): this is not a frame\n")
            out.flush()


PINNED_WARP = "1.19.0"
CACHE_LIMIT = 8192  # entries per table; past it the table starts over
ACTIVE_CACHE = None  # the CodegenCache installed in this process, if any


class CodegenCache:
    """Memoises two pure functions of Warp 1.19.0's code generator that take
    most of the worker's time: overload resolution of builtin calls
    (Adjoint.resolve_func, whose inspect.Signature.bind per candidate is ~30%
    of the worker's CPU) and Var.type_to_ctype (~570 calls per kernel). Each
    result is keyed on exactly what the function reads: for a builtin, the
    function object, its overload count, the argument types and min_outputs;
    for a type, the type object itself (classes, Struct objects: their C name
    is fixed when they are made) or, for arrays and references, their family,
    element type and dimension count. A key holds its objects, so an id is
    never reused while its entry lives; anything else (tiles, tuples,
    functions passed as arguments, sequences) goes to Warp uncached. Plus
    shortcuts for three helpers (install_fast_paths). Output is
    byte-identical to Warp's own (test_worker_cache); all of it is off with
    JITSYNTH_WORKER_CACHE=0, and on any Warp but the pinned one.

    A Struct belongs to the module that defines it and refers to it, so an
    entry keyed on one would keep that module, its kernels and their syntax
    trees alive: such entries are noted as they are made and dropped when
    the module is released (forget_module; test_worker_memory)."""

    def __init__(self, wp):
        import warp._src.codegen as cg
        import warp._src.types as wt

        self.cg = cg
        self.wt = wt
        self.resolve_orig = cg.Adjoint.resolve_func
        self.ctype_orig = cg.Var.type_to_ctype
        self.resolved = {}
        self.ctypes = {}
        self.module_entries = []  # (table, key) of entries holding a Struct
        self.fixedarray = getattr(wt, "fixedarray", None)

    def type_key(self, t):
        """A hashable key that determines what codegen reads of type t, or
        None when we cannot be sure of one."""
        if isinstance(t, type):
            return t
        wt = self.wt
        if isinstance(t, self.cg.Struct):
            return t
        if isinstance(t, wt.Reference):
            k = self.type_key(t.value_type)
            return None if k is None else ("ref", k)
        if wt.is_array(t) and (self.fixedarray is None or not isinstance(t, self.fixedarray)):
            k = self.type_key(t.dtype)
            return None if k is None else ("array", wt.concrete_array_type(t), k, t.ndim)
        return None

    def holds_struct(self, k):
        if isinstance(k, self.cg.Struct):
            return True
        return isinstance(k, tuple) and any(self.holds_struct(x) for x in k)

    def remember(self, table, key, value):
        if len(table) >= CACHE_LIMIT:
            table.clear()
        table[key] = value
        if self.holds_struct(key):
            self.module_entries.append((table, key))

    def forget_module(self):
        for table, key in self.module_entries:
            table.pop(key, None)
        self.module_entries.clear()

    def install(self):
        resolve_orig = self.resolve_orig
        remember = self.remember
        ctype_orig = self.ctype_orig
        resolved = self.resolved
        ctypes = self.ctypes
        type_key = self.type_key

        def resolve_func(adj, func, arg_types, kwarg_types, min_outputs):
            if not func.is_builtin():
                return resolve_orig(adj, func, arg_types, kwarg_types, min_outputs)
            try:
                key = (
                    func,
                    len(func.overloads),
                    min_outputs,
                    tuple(type_key(a) for a in arg_types),
                    tuple((k, type_key(v)) for k, v in kwarg_types.items()),
                )
                hit = resolved.get(key)
            except TypeError:  # an unhashable argument type
                return resolve_orig(adj, func, arg_types, kwarg_types, min_outputs)
            if hit is not None:
                return hit
            f = resolve_orig(adj, func, arg_types, kwarg_types, min_outputs)
            if None not in key[3] and all(v is not None for _, v in key[4]):
                remember(resolved, key, f)
            return f

        def type_to_ctype(t, value_type=False):
            k = type_key(t)
            if k is None:
                return ctype_orig(t, value_type)
            key = (k, bool(value_type))
            hit = ctypes.get(key)
            if hit is None:
                hit = ctype_orig(t, value_type)
                remember(ctypes, key, hit)
            return hit

        self.cg.Adjoint.resolve_func = resolve_func
        self.cg.Var.type_to_ctype = staticmethod(type_to_ctype)
        self.install_fast_paths()

    def install_fast_paths(self):
        """Shortcuts, not caches, for codegen's three most called helpers
        (about 1.8 million calls per 1,000 kernels), for the case that is
        nearly every call: a Var, or a type that is a plain class (whose
        metaclass is `type` or a ctypes one, as Warp's scalars, vectors,
        matrices and structs are). For those Warp's own functions return
        exactly what the shortcut does (strip_reference: the argument;
        get_arg_type: the class; get_arg_value: the Var or its constant),
        after a chain of isinstance tests that costs more than the answer."""
        import ctypes

        cg = self.cg
        Var = cg.Var
        plain = frozenset((type, type(ctypes.Array), type(ctypes.Structure)))
        strip_orig, type_orig, value_orig = cg.strip_reference, cg.get_arg_type, cg.get_arg_value

        def strip_reference(arg):
            if type(arg) is Var or type(arg) in plain:
                return arg
            return strip_orig(arg)

        def get_arg_type(arg):
            if type(arg) is Var:
                t = arg.type
                if type(t) in plain:
                    return t
            elif type(arg) in plain:
                return arg
            return type_orig(arg)

        def get_arg_value(arg):
            if type(arg) is Var and type(arg.type) in plain:
                return arg if arg.constant is None else arg.constant
            return value_orig(arg)

        cg.strip_reference = strip_reference
        cg.get_arg_type = get_arg_type
        cg.get_arg_value = get_arg_value


def cache_wanted(wp):
    """(on, why_not): the cache needs the pinned Warp and no
    JITSYNTH_WORKER_CACHE=0."""
    if os.environ.get("JITSYNTH_WORKER_CACHE", "1") == "0":
        return False, "off by JITSYNTH_WORKER_CACHE=0"
    if wp.__version__ != PINNED_WARP:
        return False, "off: it patches warp-lang %s's private code generator, this is %s" % (PINNED_WARP, wp.__version__)
    return True, ""


class Bridge:
    def __init__(self):
        import warp as wp

        wp.config.quiet = True
        import warp._src.context as ctx

        self.wp = wp
        self.ctx = ctx
        self.options = None
        # Warp numbers @wp.func helpers with a global per-name counter, so a
        # helper would be called falloff_0 or falloff_1 depending on what this
        # worker compiled before: restored after each kernel (see release()).
        self.function_keys = dict(ctx.function_key_counts)
        # Warp's code carries a comment with the absolute path of each of its
        # own Python functions that a kernel calls (`// /x/site-packages/
        # warp/_src/math.py:494`): cut to the path below the directory that
        # holds the warp package, so the output does not depend on where Warp
        # is installed or through which path its Python was started.
        self.abs_prefix = "// " + os.path.dirname(os.path.dirname(os.path.abspath(wp.__file__))) + os.sep
        on, why = cache_wanted(wp)
        if on:
            global ACTIVE_CACHE
            ACTIVE_CACHE = CodegenCache(wp)
            ACTIVE_CACHE.install()
        else:
            print("jitsynth worker: codegen cache %s" % why, file=sys.stderr)

    def build_module(self, name, source, devices):
        wp, ctx = self.wp, self.ctx
        modname = "jitsynth_" + name
        filename = "<jitsynth:%s>" % modname
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        module = types.ModuleType(modname)
        module.__file__ = filename
        sys.modules[modname] = module
        try:
            exec(compile(source, filename, "exec"), module.__dict__)
            kernel = getattr(module, name, None)
            if kernel is None or not isinstance(kernel, ctx.Kernel):
                raise ValueError("source defines no @wp.kernel named %r" % name)
            wmod = kernel.module
            options = wmod.resolve_options(wp.config)
            # output_arch=None as Warp's own device-less codegen passes it: the
            # tile builtins (tile_matmul) read it; the hash keeps `options`.
            builder = ctx.ModuleBuilder(wmod, options | {"output_arch": None}, ctx.ModuleHasher([kernel], options))
            texts = []
            if devices & DEV_CPU:
                texts.append(builder.codegen("cpu"))
            if devices & DEV_CUDA:
                texts.append(builder.codegen("cuda"))
            return [t.replace(self.abs_prefix, "// ") for t in texts]
        finally:
            self.release(modname, filename)

    def release(self, modname, filename):
        # Warp keeps every module it has seen; without this a worker slows
        # down run after run (bench/run.sh measures it over 50,000 kernels).
        wmod = self.ctx.user_modules.pop(modname, None)
        if wmod is not None:
            # A kernel calling a @wp.func of Warp's own Python modules (norms,
            # lerp, ...) enters our module in that long-lived module's
            # `dependents` set, which would keep every such kernel alive
            # (test_worker_memory).
            wmod._detach_references()
        if ACTIVE_CACHE is not None:
            ACTIVE_CACHE.forget_module()
        self.ctx.function_key_counts.clear()
        self.ctx.function_key_counts.update(self.function_keys)
        sys.modules.pop(modname, None)
        linecache.cache.pop(filename, None)


def native_dir(package_file):
    """Where the Warp whose package is package_file (warp/__init__.py) keeps
    the C++ headers its generated modules include."""
    return os.path.join(os.path.dirname(package_file), "native")


def print_native_dir():
    """--native-dir: native_dir() on stdout, for runs that start no worker
    (validate, eval), which need only Warp's headers: found without
    importing Warp, whose import costs 0.3 s of CPU (it registers its
    builtins); on failure the reason on one line and exit 1."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("warp")
        if spec is None or not spec.origin:
            raise ModuleNotFoundError("No module named 'warp'")
    except Exception as exc:
        print(format_error(exc))
        sys.exit(1)
    print(native_dir(spec.origin))


def format_error(exc):
    msg = "%s: %s" % (type(exc).__name__, exc)
    return " ".join(msg.split())[:2000]


def main():
    # Ctrl-C reaches the whole process group; jitsynth decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inp = sys.stdin.buffer
    out = sys.stdout.buffer
    # Warp may print on stdout (e.g. its banner); keep the frame channel clean.
    sys.stdout = sys.stderr
    try:
        bridge = Bridge()
    except BaseException as exc:  # a broken install must be reported, not crash silently
        send(out, b"F" + pack_str(format_error(exc)))
        sys.exit(3)
    # Warp and its builtin tables are long-lived: keep them out of the
    # cyclic collector's scans, and let it run less often (a kernel makes
    # thousands of short-lived objects; ~5% of the worker's CPU).
    gc.collect()
    gc.freeze()
    gc.set_threshold(10000, 20, 20)
    send(out, b"R" + pack_str(bridge.wp.__version__) + pack_str(native_dir(bridge.wp.__file__)))

    while True:
        head = read_exact(inp, 4)
        if head is None:
            return
        (n,) = _U32.unpack(head)
        payload = read_exact(inp, n)
        if payload is not None and payload[:1] == b"I":  # jitsynth ingest: src/warp/ingest.py
            send(out, ingest_module().answer(bridge, payload))
            continue
        if payload is None or payload[:1] != b"K":
            return
        (index,) = _U64.unpack_from(payload, 1)
        devices = payload[9]
        name, pos = unpack_str(payload, 10)
        source, pos = unpack_str(payload, pos)
        test_hooks(index, out)
        try:
            texts = bridge.build_module(name, source, devices)
        except Exception as exc:
            send(out, b"E" + _U64.pack(index) + pack_str(format_error(exc)))
            continue
        send(out, b"O" + _U64.pack(index) + b"".join(pack_str(t) for t in texts))


def ingest_module():
    """src/warp/ingest.py, by path (a project's own `ingest` module cannot
    shadow it), loaded at the first 'I' request."""
    mod = sys.modules.get("_jitsynth_ingest")
    if mod is None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("_jitsynth_ingest", os.path.join(os.path.dirname(__file__), "ingest.py"))
        mod = importlib.util.module_from_spec(spec)
        sys.modules["_jitsynth_ingest"] = mod
        spec.loader.exec_module(mod)
    return mod


def dump_builtins():
    """--dump-builtins: Warp's builtin table as JSON on stdout (name, group,
    overload argument and return types), the source of src/gen/catalog.tsv.
    A separate mode: the frame protocol above is not involved."""
    import json

    import warp as wp
    import warp._src.context as ctx

    def spell(t):
        try:
            return getattr(t, "__name__", None) or str(t)
        except Exception:  # some type objects cannot print themselves
            return type(t).__name__

    out = []
    for name, f in sorted(ctx.builtin_functions.items()):
        ovs = []
        for o in getattr(f, "overloads", None) or [f]:
            ret = o.value_type
            ret = [spell(x) for x in ret] if isinstance(ret, tuple) else spell(ret)
            args = getattr(o, "input_types", None) or {}
            ovs.append({"args": [[k, spell(v)] for k, v in args.items()], "ret": ret})
        out.append({"name": name, "group": f.group, "overloads": ovs})
    json.dump({"warp_version": wp.__version__, "builtins": out}, sys.stdout, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__" and "--native-dir" in sys.argv:
    print_native_dir()
    sys.exit(0)

if __name__ == "__main__" and "--dump-builtins" in sys.argv:
    dump_builtins()
    sys.exit(0)

if __name__ == "__main__":
    main()
