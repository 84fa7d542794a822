"""warp_launch: the run tier's baseline, issue 11's "Warp's own path": for
each record of a jitsynth dataset, build its kernel the way a Warp user does
(import the source, wp.launch on the CPU, which compiles the module with
Warp's LLVM and runs it) on zeroed arrays of the launch shape the record's
exec object gives. A geometry parameter gets a small real object made by
Warp (a mesh, a BVH, a hash grid, a volume of the type the kernel samples),
as the run tier makes its own, so that both run the same kernels; kernels
whose parameters this script cannot make (fabric arrays) are skipped and
counted.

usage: warp_launch.py SHARD.jsonl [LIMIT [WORKERS]]
prints (among Warp's own output): RESULT kernels=N skipped=S seconds=T per_kernel=P
"""
import json
import linecache
import os
import sys
import tempfile
import time
import types

import warp as wp

wp.config.quiet = True


def load_kernel(rec, i):
    name = rec["kernel_name"]
    modname = "wl_%d_%s" % (i, name)
    filename = "<wl:%s>" % modname
    src = rec["python_source"]
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    module = types.ModuleType(modname)
    module.__file__ = filename
    sys.modules[modname] = module
    exec(compile(src, filename, "exec"), module.__dict__)
    return getattr(module, name)


KEEP = []  # geometry objects: alive until the launches are done


def make_geometry(kind, src):
    pts = wp.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0],
                    [0.0, 0.0, -1.0]], dtype=wp.vec3, device="cpu")
    if kind == "mesh":
        tris = [0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4, 1, 5, 2, 1, 5, 3, 2, 5, 4, 3, 5, 1, 4]
        g = wp.Mesh(points=pts, indices=wp.array(tris, dtype=int, device="cpu"), velocities=pts)
    elif kind == "bvh":
        lo = wp.array([[p[0] - 0.2, p[1] - 0.2, p[2] - 0.2] for p in pts.numpy()], dtype=wp.vec3, device="cpu")
        hi = wp.array([[p[0] + 0.2, p[1] + 0.2, p[2] + 0.2] for p in pts.numpy()], dtype=wp.vec3, device="cpu")
        g = wp.Bvh(lo, hi)
    elif kind == "hash_grid":
        g = wp.HashGrid(16, 16, 16, device="cpu")
        g.build(pts, 0.5)
    elif kind == "volume":
        vec = "volume_sample_v" in src or "volume_lookup_v" in src or "dtype=wp.vec3" in src
        bg = wp.vec3(0.5, -0.25, 1.0) if vec else 3 if ("volume_sample_i" in src or "volume_lookup_i" in src) else 0.5
        tiles = wp.array([[i, j, k] for i in (-2, 0) for j in (-2, 0) for k in (-2, 0)], dtype=wp.int32, device="cpu")
        g = wp.Volume.allocate_by_tiles(tiles, voxel_size=0.1, bg_value=bg, device="cpu")
    else:
        return None
    KEEP.append(g)
    return g.id


def make_args(kernel, ex, src=""):
    args = []
    shape = tuple(ex["launch"][: len(ex["launch"]) - (1 if ex.get("tiled") else 0)])
    for a in kernel.adj.args:
        p = ex["params"].get(a.label, {})
        t = a.type
        if p.get("geometry"):
            gid = make_geometry(p["geometry"], src)
            if gid is None:
                return None
            args.append(gid)
            continue
        if wp.types.is_array(t):
            s = tuple(p.get("shape") or shape)
            if isinstance(t, wp.indexedarray):
                base = wp.zeros(s, dtype=t.dtype, device="cpu")
                args.append(wp.indexedarray(base, [wp.array(list(range(s[0])), dtype=int, device="cpu")]))
            elif isinstance(t, wp.fabricarray):
                return None
            else:
                args.append(wp.zeros(s, dtype=t.dtype, device="cpu", requires_grad=True))
        elif hasattr(t, "cls") and hasattr(t, "vars"):  # a @wp.struct
            args.append(t())
        else:
            args.append(t(0) if t in (wp.uint64, wp.int64) else t(1))
    return args


def launch(k, ex, args):
    dim = ex["launch"][:-1] if ex.get("tiled") else ex["launch"]
    if ex.get("tiled"):
        wp.launch_tiled(k, dim=dim, inputs=args, device="cpu", block_dim=ex["launch"][-1])
    else:
        wp.launch(k, dim=dim, inputs=args, device="cpu")
    wp.synchronize_device("cpu")


def main():
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    # WORKERS > 1: Warp's own parallel build (wp.force_load(max_workers=...),
    # threads) of every module first, then the launches
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    wp.config.kernel_cache_dir = tempfile.mkdtemp(prefix="jitsynth-warp-cache-")
    wp.init()
    recs = [json.loads(l) for l in open(path)][:limit]
    n = skipped = 0
    todo = []
    t0 = time.perf_counter()
    for i, rec in enumerate(recs):
        ex = rec.get("exec", {})
        if ex.get("status") != "executed":
            skipped += 1
            continue
        try:
            k = load_kernel(rec, i)
            args = make_args(k, ex, rec["python_source"])
            if args is None:
                skipped += 1
                continue
            if workers > 1:
                todo.append((rec, k, ex, args))
                continue
            launch(k, ex, args)
            n += 1
        except Exception as e:  # noqa: BLE001 - a baseline: count it out, go on
            print("skipped %s: %s" % (rec["kernel_name"], str(e).splitlines()[0][:100]), file=sys.stderr)
            skipped += 1
    if todo:
        wp.force_load(device="cpu", modules=[k.module for _, k, _, _ in todo], max_workers=workers)
        for rec, k, ex, args in todo:
            try:
                launch(k, ex, args)
                n += 1
            except Exception as e:  # noqa: BLE001
                print("skipped %s: %s" % (rec["kernel_name"], str(e).splitlines()[0][:100]), file=sys.stderr)
                skipped += 1
    dt = time.perf_counter() - t0
    # kernels may print (wp.printf) and Warp logs module loads: the result line is marked
    print("RESULT kernels=%d skipped=%d seconds=%.2f per_kernel=%.3f" % (n, skipped, dt, dt / max(n, 1)), flush=True)


if __name__ == "__main__":
    main()
