#!/usr/bin/env python3
"""plant_candidates: writes eval candidates for a jitsynth dataset shard:
Warp's own cpu.forward for every record, except six records whose forward is
planted wrong, one way each (issue 11, eval acceptance): an operator swapped
(the first wp::add becomes wp::sub), a constant changed (the last float
literal assigned, plus 0.5), a store of zeros (every array_store stores a
value-initialised element), a copy of an input (every store into an output
array stores the element of an input array of the same dtype instead), one
that crashes (a null store), one that never ends, and one that does not
compile.

usage: plant_candidates.py SHARD.jsonl OUT.jsonl   prints "kind id" per plant
"""
import json
import re
import sys

recs = [json.loads(l) for l in open(sys.argv[1])]
planted = {}


def take(kind, pred, mutate):
    for r in recs:
        if r["id"] in planted or r.get("exec", {}).get("status") != "executed":
            continue
        f = r["ir"]["cpu"]["forward"]
        if pred(r, f):
            g = mutate(r, f)
            if g != f:
                planted[r["id"]] = (kind, g)
                return


def same_dtype_pair(r):
    ps = r["exec"]["params"]
    for o, po in ps.items():
        if po["role"] != "output":
            continue
        for i, pi in ps.items():
            if pi["role"] == "input" and pi["dtype"] == po["dtype"] and pi.get("shape") == po.get("shape"):
                return i, o
    return None


def copy_input(r, f):
    i, o = same_dtype_pair(r)
    return re.sub(r"wp::array_store\(var_%s, (var_\w+), var_\w+\);" % re.escape(o),
                  lambda m: "wp::array_store(var_%s, %s, wp::load(wp::address(var_%s, %s)));" % (o, m.group(1), i, m.group(1)), f)


def const_changed(r, f):
    lits = list(re.finditer(r"(var_\d+ = )(-?\d+\.\d+);", f))
    if not lits:
        return f
    m = lits[-1]
    return f[: m.start(2)] + repr(float(m.group(2)) + 0.5) + f[m.end(2):]


take("operator", lambda r, f: "wp::add(" in f, lambda r, f: f.replace("wp::add(", "wp::sub(", 1))
take("constant", lambda r, f: re.search(r"var_\d+ = -?\d+\.\d+;", f), const_changed)
take("zeros", lambda r, f: "wp::array_store(" in f,
     lambda r, f: re.sub(r"wp::array_store\((var_\w+), (var_\w+), (var_\w+)\);", r"wp::array_store(\1, \2, decltype(\3){});", f))
take("copy", lambda r, f: same_dtype_pair(r) is not None, copy_input)
take("crash", lambda r, f: "    // forward\n" in f,
     lambda r, f: f.replace("    // forward\n", "    // forward\n    *(volatile int *)0 = 1;\n", 1))
take("loop", lambda r, f: "    // forward\n" in f,
     lambda r, f: f.replace("    // forward\n", "    // forward\n    for (volatile int js_i = 0; js_i >= 0; js_i = 1) {}\n", 1))
take("syntax", lambda r, f: "    // forward\n" in f, lambda r, f: f.replace("    // forward\n", "    // forward\n    int js_x = ;\n", 1))

with open(sys.argv[2], "w") as out:
    for r in recs:
        f = planted[r["id"]][1] if r["id"] in planted else r["ir"]["cpu"]["forward"]
        out.write(json.dumps({"id": r["id"], "cpu_forward": f}) + "\n")
for rid, (kind, _) in planted.items():
    print(kind, rid)
