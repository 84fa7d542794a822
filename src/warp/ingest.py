"""jitsynth ingest's half of the worker: real Warp code -> Warp's module texts.

Imported by worker.py (its 'I' requests) in a worker that runs in the sandbox
(src/warp/sandbox.c): everything here executes outside code. One request is
one Python file with the kernels the C scanner found in it (src/ingest/scan.c);
the answer is one JSON document (see handle()).

Route 1: import the file as a member of its package (relative imports work)
and take its kernels from Warp's registry, generic ones through their declared
overloads. Route 2, when the import fails: a standalone module made of the
file's warp/numpy/math imports, @wp.func, @wp.struct and other top-level
definitions, constants and aliases, each kept only if it executes, then the
kernel. Each Warp module is built once with all its kernels (so extraction
works on modules holding many kernels); if that fails, kernel by kernel.
"""

import ast
import importlib
import json
import linecache
import sys
import types
from typing import Any

# imports a standalone module keeps (route 2): those jitsynth's Python has
SAFE_IMPORTS = {"warp", "numpy", "math", "typing", "ctypes", "functools", "dataclasses", "enum", "os", "itertools"}


class NoOverload(Exception):
    pass


def short(exc):
    msg = "%s: %s" % (type(exc).__name__, exc)
    return " ".join(msg.split())[:600]


# wp.config entries that shape generated code (Module options and codegen)
CODEGEN_CONFIG = ("enable_backward", "mode", "optimization_level", "max_unroll", "verify_fp", "verify_cuda",
                  "fast_math", "lineinfo", "line_directives", "cpu_compiler_flags", "enable_mathdx_gemm",
                  "enable_mathdx_solver", "enable_mathdx_fft", "deterministic", "deterministic_max_records",
                  "default_grid_stride", "legacy_scalar_return_types")


class Ingest:
    def __init__(self, bridge):
        self.b = bridge
        self.wp = bridge.wp
        self.ctx = bridge.ctx
        self.synthetic = set()  # ids of overloads instantiate() made
        # What a file's import may change for the files after it: Warp's
        # global config (example_fdtd_3d.py sets wp.config.enable_backward =
        # False at import, and every module built later in that worker lost
        # its backward). Restored before each file, so a file's records never
        # depend on what this worker imported before.
        # Only what decides generated code (a module's options are taken from
        # the config when it is made): the runtime's own (kernel_cache_dir,
        # log_level, ...) are Warp's business.
        cfg = vars(self.wp.config)
        self.pristine = {k: cfg[k] for k in CODEGEN_CONFIG if k in cfg}
        self.base_modules = set(sys.modules)
        sys.dont_write_bytecode = True  # the file system is read-only anyway

    # ---- finding the kernels after an import ----

    def registry_kernels(self, filename):
        """Every Warp kernel whose function was defined in `filename`."""
        found = []
        for wmod in list(self.ctx.user_modules.values()):
            for k in wmod._get_live_kernels():
                code = getattr(k.func, "__code__", None)
                if code is not None and code.co_filename == filename and k.generic_parent is None:
                    found.append(k)
        return found

    def build(self, kernels, devices):
        """Warp's texts of the modules holding `kernels`, each built with the
        given kernels it holds: a list of modules ({"cpu", "cuda"}) and, per
        kernel object, (module index, [C names]) or an error message."""
        wp, ctx = self.wp, self.ctx
        by_mod = {}
        for k in kernels:
            by_mod.setdefault(id(k.module), (k.module, []))[1].append(k)
        mods, where = [], {}
        for wmod, ks in by_mod.values():
            groups = [ks]
            try:
                texts = self.codegen(wmod, ks, devices)  # the file's kernels of this Warp module
            except Exception:
                texts = None
            if texts is None:  # one bad kernel fails the module: isolate it
                groups = [[k] for k in ks]
            for g in groups:
                if texts is None:
                    try:
                        t = self.codegen(wmod, g, devices)
                    except Exception as exc:
                        for k in g:
                            where[id(k)] = "Warp's error: " + short(exc)
                        continue
                else:
                    t = texts
                mods.append(t)
                for k in g:
                    where[id(k)] = (len(mods) - 1, self.cnames(k))
        return mods, where

    def instantiate(self, k):
        """A generic kernel with no declared overload: instantiated for
        float32 (an `Any` parameter as an array of float32, else as a
        float32; generic arrays, vectors and matrices with float32), the
        first that Warp's code generator takes. Such records say
        source.instantiated."""
        import warp._src.types as wt

        for scalar_any in (False, True):
            types_ = [concretize(self.wp, wt, t, scalar_any) for t in k.adj.arg_types.values()]
            if any(t is None for t in types_):
                continue
            before = set(k.overloads)
            try:
                ovl = k.add_overload(types_)
                self.codegen(k.module, [k], 1)
                self.synthetic.add(id(ovl))
                return True
            except Exception:
                for sig in set(k.overloads) - before:
                    del k.overloads[sig]
        return False

    def cnames(self, k):
        """The names of a kernel's C functions, without Warp's hash suffix:
        its own, or one per declared overload of a generic kernel."""
        ks = list(k.overloads.values()) if k.is_generic else [k]
        out = []
        for o in ks:
            name = o.get_mangled_name()
            if not o.module.options.get("strip_hash"):
                name = name[: name.rfind("_")]
            sig = ",".join(getattr(t, "__name__", str(t)) for t in o.adj.arg_types.values()) if k.is_generic else ""
            out.append([name, sig, id(o) in self.synthetic])
        return out

    def codegen(self, wmod, kernels, devices):
        """codegen_with(); a tile kernel whose code depends on the launch's
        block_dim (tile_fft and friends) is built again with each block
        size the module declares (an int named *BLOCK_DIM*, *THREADS*,
        *BLOCK_SIZE*), when the default one fails."""
        try:
            return self.codegen_with(wmod, kernels, devices, None)
        except Exception as exc:
            if "block_dim" not in str(exc):
                raise
            for bd in declared_block_dims(kernels):
                try:
                    return self.codegen_with(wmod, kernels, devices, bd)
                except Exception:
                    pass
            raise

    def codegen_with(self, wmod, kernels, devices, block_dim):
        wp, ctx = self.wp, self.ctx
        options = wmod.resolve_options(wp.config)
        if block_dim is not None:
            options = options | {"block_dim": block_dim}
        hasher = ctx.ModuleHasher(kernels, options)
        builder = ctx.ModuleBuilder(wmod, options | {"output_arch": None}, hasher)
        out = {}
        if devices & 1:
            out["cpu"] = builder.codegen("cpu")
        if devices & 2:
            out["cuda"] = builder.codegen("cuda")
        out["backward"] = bool(options.get("enable_backward", True))
        return out

    # ---- the request ----

    def handle(self, req):
        """req: {"file", "module", "root", "devices", "kernels": [{"name",
        "line", "toplevel"}]}. Answer: {"route", "import_error",
        "python_source", "modules": [...], "kernels": [{"name", "line",
        "variants": [[module index, C name, signature]], "reject": reason}]}."""
        path, devices = req["file"], req["devices"]
        for k, v in self.pristine.items():
            setattr(self.wp.config, k, v)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        ans = {"route": "import", "import_error": "", "python_source": text, "modules": [], "kernels": []}
        found = None
        try:
            found = self.route_import(req, path)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt from outside code too
            ans["import_error"] = short(exc)
        if found is None:
            ans["route"] = "standalone"
            self.route_standalone(req, text, ans, devices)
            return ans
        by_line = {}
        for k in found:
            by_line.setdefault((k.func.__name__, k.func.__code__.co_firstlineno), k)
        # Only the file's kernels outside functions: a factory's kernels exist
        # or not depending on what this worker imported before, and the same
        # files must give the same records in any worker.
        picked = [(want, self.match(by_line, want) if want["toplevel"] else None) for want in req["kernels"]]
        chosen = [k for _, k in picked if k is not None]
        for k in chosen:
            if k.is_generic and not k.overloads:
                self.instantiate(k)
        mods, where = self.build(chosen, devices)
        ans["modules"] = mods
        for want, k in picked:
            ans["kernels"].append(self.verdict(want, k, where))
        return ans

    @staticmethod
    def match(by_line, want):
        # co_firstlineno is the first decorator's line; the scanner gives the def's
        for (name, first), k in by_line.items():
            if name == want["name"] and first <= want["line"] <= first + 12:
                return k
        return None

    def verdict(self, want, k, where):
        item = {"name": want["name"], "line": want["line"], "variants": [], "reject": ""}
        if k is None:
            item["reject"] = "factory" if not want["toplevel"] else "not in Warp's registry after import"
            return item
        if k.is_generic and not k.overloads:
            item["reject"] = "generic without overload"
            return item
        w = where.get(id(k))
        if isinstance(w, str) or w is None:
            item["reject"] = w or "not built"
            return item
        item["variants"] = [[w[0], n, s, syn] for n, s, syn in w[1]]
        return item

    def route_import(self, req, path):
        root = req["root"]
        if root in sys.path:
            sys.path.remove(root)
        sys.path.insert(0, root)
        self.evict_other(req["module"].split(".")[0], root)
        # imported before, as another file's dependency: run again, so that
        # what its top level sets (Warp's config) applies to its own kernels
        # (a module whose second run fails is taken as the first left it)
        name = req["module"]
        if name in sys.modules and name not in self.base_modules:
            old_mod = sys.modules.pop(name)
            old = self.ctx.user_modules.pop(name, None)
            try:
                mod = importlib.import_module(name)
            except BaseException:
                sys.modules[name] = mod = old_mod
                if old is not None:
                    self.ctx.user_modules[name] = old
            else:
                if old is not None:
                    old._detach_references()
        else:
            mod = importlib.import_module(name)
        if getattr(mod, "__file__", None) and not same_file(mod.__file__, path):
            raise ImportError("module %s is %s, not this file" % (req["module"], mod.__file__))
        return self.registry_kernels(mod.__file__ or path)

    def evict_other(self, top, root):
        """Another tree's package or module of the same name (two folders
        each with a kern.py) imported earlier by this worker: forgotten, in
        sys.modules and in Warp's registry, so that what this worker built
        before never changes what it builds now."""
        import os

        m = sys.modules.get(top)
        if m is None or top == "warp":
            return
        loc = getattr(m, "__file__", None) or next(iter(getattr(m, "__path__", []) or []), None)
        if loc and os.path.realpath(loc).startswith(os.path.realpath(root) + os.sep):
            return
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]
        for name in [n for n in self.ctx.user_modules if n == top or n.startswith(top + ".")]:
            self.ctx.user_modules.pop(name)._detach_references()

    # ---- route 2 ----

    def route_standalone(self, req, text, ans, devices):
        try:
            tree = ast.parse(text)
        except SyntaxError as exc:
            for want in req["kernels"]:
                ans["kernels"].append(bad(want, "missing dependency: " + ans["import_error"] + "; " + short(exc)))
            return
        lines = text.splitlines(True)
        for want in req["kernels"]:
            if not want["toplevel"]:
                ans["kernels"].append(bad(want, "factory"))
                continue
            self.standalone_one(want, tree, lines, ans, devices)

    def standalone_one(self, want, tree, lines, ans, devices):
        # named after the kernel, not the worker's history: the same in any worker
        modname = "jitsynth_ingest_%s_%d" % (want["name"], want["line"])
        filename = "<jitsynth:%s>" % modname
        module = types.ModuleType(modname)
        module.__file__ = filename
        sys.modules[modname] = module
        kept, target = [], None
        try:
            for node in tree.body:
                src = "".join(lines[node_start(node) - 1 : node.end_lineno])
                is_target = isinstance(node, ast.FunctionDef) and node.name == want["name"] and (
                    node.lineno <= want["line"] <= node.end_lineno
                )
                if is_target:
                    target = src
                    continue
                if isinstance(node, ast.FunctionDef) and is_kernel(node):
                    continue  # other kernels are not its dependencies
                if not wanted(node):
                    continue
                # Warp reads a function's source through linecache: the probe's own
                probe = filename + ":probe"
                linecache.cache[probe] = (len(src), None, src.splitlines(True), probe)
                try:
                    exec(compile(src, probe, "exec"), module.__dict__)
                    kept.append(src)
                except BaseException:
                    pass  # a definition it may not need; Warp says if it does
                finally:
                    linecache.cache.pop(probe, None)
            if target is None:
                ans["kernels"].append(bad(want, "missing dependency: " + ans["import_error"]))
                return
            source = "".join(kept) + target
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            try:
                module.__dict__.clear()
                module.__file__ = filename
                exec(compile(source, filename, "exec"), module.__dict__)
                k = getattr(module, want["name"])
                if k.is_generic and not k.overloads and not self.instantiate(k):
                    raise NoOverload()
                texts = self.codegen(k.module, [k], devices)
            except NoOverload:
                ans["kernels"].append(bad(want, "generic without overload"))
                return
            except BaseException as exc:
                ans["kernels"].append(
                    bad(want, "missing dependency: " + ans["import_error"] + "; standalone: " + short(exc))
                )
                return
            start = source[: len(source) - len(target)].count("\n") + 1
            span = [start, start + target.rstrip("\n").count("\n")]
            ans["modules"].append(dict(texts, python_source=source, span=span))
            ans["kernels"].append(
                {
                    "name": want["name"],
                    "line": want["line"],
                    "variants": [[len(ans["modules"]) - 1, n, s, syn] for n, s, syn in self.cnames(k)],
                    "reject": "",
                }
            )
        finally:
            self.b.release(modname, filename)


def concretize(wp, wt, t, scalar_any):
    """t with float32 for what is generic, or None."""
    if not wt.type_is_generic(t):
        return t
    if t is Any:
        return wp.float32 if scalar_any else wp.array(dtype=wp.float32)
    if t in (wt.Scalar, wt.Float):
        return wp.float32
    if t is wt.Int:
        return wp.int32
    try:
        if wt.is_array(t):
            d = concretize(wp, wt, t.dtype, True)
            return None if d is None else type(t)(dtype=d, ndim=t.ndim)
        if hasattr(t, "_wp_scalar_type_"):
            shape = tuple(t._shape_)
            if any(n == 0 for n in shape):
                return None
            if len(shape) == 1:
                return wp.types.vector(length=shape[0], dtype=wp.float32)
            return wp.types.matrix(shape=shape, dtype=wp.float32)
    except Exception:
        return None
    return None


def declared_block_dims(kernels):
    import re

    found = []
    for k in kernels:
        for name, v in getattr(k.func, "__globals__", {}).items():
            if re.search("BLOCK_DIM|THREADS|BLOCK_SIZE", name.upper()) and type(v) is int and 0 < v <= 1024:
                if v not in found:
                    found.append(v)
    return found


def bad(want, reason):
    return {"name": want["name"], "line": want["line"], "variants": [], "reject": reason}


def same_file(a, b):
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def node_start(node):
    decos = getattr(node, "decorator_list", None)
    return min([node.lineno] + [d.lineno for d in decos]) if decos else node.lineno


def deco_name(d):
    if isinstance(d, ast.Call):
        d = d.func
    if isinstance(d, ast.Attribute):
        return d.attr
    return d.id if isinstance(d, ast.Name) else ""


def is_kernel(node):
    return any(deco_name(d) == "kernel" for d in node.decorator_list)


def wanted(node):
    """What a standalone module keeps: imports of modules jitsynth's Python
    has, functions and classes (helpers, structs), assignments (constants,
    aliases, overload declarations); no other statement."""
    if isinstance(node, ast.Import):
        return all(a.name.split(".")[0] in SAFE_IMPORTS for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").split(".")[0] in SAFE_IMPORTS
    if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)):
        return True
    # wp.overload(kernel, [...]) and wp.set_module_options({...}) as expression statements
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and deco_name(node.value) in ("overload", "set_module_options")
    )


_ingest = None


def answer(bridge, payload):
    """worker.py's hook: an 'I' request (u64 index, str JSON) -> the reply
    frame 'O' u64 index, str JSON."""
    global _ingest
    import struct

    if _ingest is None:
        _ingest = Ingest(bridge)
    (index,) = struct.unpack_from("<Q", payload, 1)
    (n,) = struct.unpack_from("<I", payload, 9)
    req = json.loads(payload[13 : 13 + n].decode("utf-8"))
    try:
        ans = _ingest.handle(req)
    except BaseException as exc:
        ans = {"route": "", "import_error": short(exc), "python_source": "", "modules": [], "kernels": []}
        for want in req.get("kernels", []):
            ans["kernels"].append(bad(want, "worker: " + short(exc)))
    data = json.dumps(ans, ensure_ascii=False).encode("utf-8", "replace")
    return b"O" + struct.pack("<QI", index, len(data)) + data
