#!/usr/bin/env python3
"""Writes the seed corpus of the kustomize_build fuzz target from
fixtures/kustomize: each case's input tree packed into one file in the
target's input format (chunks separated by a `%%` line, each starting with
`@path`; a leading `@@dir` line names the directory to build). Only small
cases are taken, so the committed corpus stays a few dozen files.

    python3 fuzz/kustomize_seeds.py [MAX_SEEDS] [MAX_BYTES]
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "fixtures", "kustomize")
out = os.path.join(here, "corpus", "kustomize_build")
max_seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
max_bytes = int(sys.argv[2]) if len(sys.argv) > 2 else 4096

os.makedirs(out, exist_ok=True)
seeds = []
for case in sorted(os.listdir(fixtures)):
    inp = os.path.join(fixtures, case, "input")
    if not os.path.isdir(inp):
        continue
    root_file = os.path.join(fixtures, case, "root")
    root = open(root_file).read().strip() if os.path.exists(root_file) else ""
    chunks = []
    for d, _, files in sorted(os.walk(inp)):
        for f in sorted(files):
            p = os.path.join(d, f)
            try:
                text = open(p, encoding="utf-8").read()
            except UnicodeDecodeError:
                continue
            chunks.append("@" + os.path.relpath(p, inp) + "\n" + text)
    body = "\n%%\n".join(chunks)
    if root and root != ".":
        body = "@@" + root + "\n" + body
    data = body.encode()
    if len(data) <= max_bytes:
        seeds.append((case, data))

# Spread the picks over the alphabet (cases are named by feature).
step = max(1, len(seeds) // max_seeds)
for case, data in seeds[::step][:max_seeds]:
    with open(os.path.join(out, case + ".txt"), "wb") as fh:
        fh.write(data)
print(f"{min(len(seeds[::step]), max_seeds)} seeds of {len(seeds)} small cases -> {out}")
