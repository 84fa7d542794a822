#!/usr/bin/env python3
"""Layering check: every #include "FOLDER/file.h" in src/ must be allowed by
tests/layering/DEPS, and no two files outside the generator's own grammar
recursion (src/gen) may include each other in a cycle. Also the tree's shape
(issue 10): no source file over MAX_LINES lines, and no file name that states
history rather than content (extra, misc, legacy, old, new, ...).

usage: check.py [SRC_DIR [DEPS_FILE]]   (defaults: src, tests/layering/DEPS)
Prints one line per violation and exits 1 if there is any."""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
MAX_LINES = 600
HISTORY = re.compile(r'(^|_)(extra|misc|legacy|old|new|more|other|stuff|tmp|v[0-9]+)(_|\.|$)|^x(expr|cores|types)')


def read_deps(path):
    allowed = {}
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        folder, _, rest = line.partition(":")
        allowed[folder.strip()] = set(rest.split())
    return allowed


def main(argv):
    src = argv[1] if len(argv) > 1 else "src"
    deps = argv[2] if len(argv) > 2 else os.path.join(os.path.dirname(__file__), "DEPS")
    allowed = read_deps(deps)
    problems = []
    graph = {}
    for folder in sorted(os.listdir(src)):
        fdir = os.path.join(src, folder)
        if not os.path.isdir(fdir):
            continue
        if folder not in allowed:
            problems.append("%s/: folder not listed in %s" % (folder, deps))
            continue
        for name in sorted(os.listdir(fdir)):
            if not name.endswith((".c", ".h")):
                continue
            rel = folder + "/" + name
            text = open(os.path.join(fdir, name), encoding="utf-8", errors="replace").read()
            lines = text.count("\n")
            if lines > MAX_LINES:
                problems.append("%s: %d lines (at most %d: split it by what it owns)" % (rel, lines, MAX_LINES))
            if HISTORY.search(name):
                problems.append("%s: the name states history, not content: name it after what it owns" % rel)
            graph[rel] = []
            for inc in INCLUDE.findall(text):
                if "/" not in inc:
                    problems.append("%s: includes \"%s\" without its folder" % (rel, inc))
                    continue
                to = inc.split("/", 1)[0]
                if to != folder and to not in allowed[folder]:
                    problems.append("%s: includes \"%s\": %s may not include %s (tests/layering/DEPS)"
                                    % (rel, inc, folder, to))
                graph[rel].append(inc)
    # cycles between files, the generator's grammar recursion aside
    state = {}
    stack = []

    def visit(f):
        state[f] = 1
        stack.append(f)
        for g in graph.get(f, []):
            if g not in graph or (f.startswith("gen/") and g.startswith("gen/")):
                continue
            if state.get(g) == 1:
                cyc = stack[stack.index(g):] + [g]
                problems.append("include cycle: " + " -> ".join(cyc))
            elif g not in state:
                visit(g)
        stack.pop()
        state[f] = 2

    for f in sorted(graph):
        if f not in state:
            visit(f)
    for p in problems:
        print("layering: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
