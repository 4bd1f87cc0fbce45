#!/usr/bin/env python3
# ORIGIN: copied unchanged (apart from this note) from the Weir steering material,
# shared/bench/gen_tags.py (written for this project; same licence as Weir, Apache-2.0).
# Deterministic: a given (--count, --seed) always produces the same bytes.
"""Write deterministic lists of container image tags for image-policy benchmarks.

The lists imitate what an image registry returns for a busy repository
that several CI pipelines push to, in the shapes that Flux image policy
documentation and vendor write-ups use in their examples:

  * branch builds      main-<sha7>-<build>   (also develop-, release-,
                       feature/ticket branches; <build> is a CI run number)
  * timestamp builds   main-<sha7>-<unix ts> (Flux's "numerical" example)
  * plain semver       1.2.3
  * v-prefixed semver  v1.2.3, with prereleases v1.2.3-rc.1, -beta.2, -alpha.3
                       and build numbers 1.2.3_build.7 (registries forbid '+')
  * date stamps        20240101120000-abc (YYYYmmddHHMMSS-<sha3>)
                       and RELEASE.2024-01-01T12-00-00Z
  * digest-ish         sha-<sha7>
  * floating names     latest, stable, edge, nightly, ...
  * junk               random strings allowed by the tag grammar
                       ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})

Every tag in one list is distinct, and a given (--count, --seed) always
produces the same bytes. The order is shuffled, as registries do not
return tags sorted by age.

Usage
-----
    python3 gen_tags.py --count 1000000 --out tags-1m.txt
    python3 gen_tags.py --count 1000 --seed 7          # to standard output
    python3 gen_tags.py --preset all --out-dir DIR     # 1k, 100k, 1m files

A one-line JSON summary (count per shape, bytes) goes to standard error.

Typical policies to run against these lists:
    ^main-[a-f0-9]{7}-(?P<build>[0-9]+)$     extract build, numerical, max
    semver range >=1.0.0 <2.0.0 (plain and v-prefixed, prereleases excluded)
    ^(?P<ts>[0-9]{14})-[a-f0-9]{3}$           extract ts, alphabetical, max
"""

import argparse
import json
import os
import random
import sys

HEX = "0123456789abcdef"
JUNK_FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
JUNK_REST = JUNK_FIRST + ".-"
FLOATING = ["latest", "stable", "edge", "nightly", "dev", "canary", "lts",
            "alpine", "slim", "debug", "main", "master", "test", "beta"]
BRANCHES = ["develop", "release", "hotfix", "staging"]
PRESETS = {"1k": 1000, "100k": 100000, "1m": 1000000}

# (shape, weight) — weights are per-mille.
SHAPES = [
    ("main_build", 300),
    ("branch_build", 80),
    ("feature_build", 60),
    ("main_unix_ts", 80),
    ("semver", 150),
    ("vsemver", 60),
    ("prerelease", 80),
    ("buildmeta", 20),
    ("datestamp", 60),
    ("minio_release", 20),
    ("sha", 30),
    ("floating", 5),
    ("junk", 55),
]


def sha(rng, n):
    return "".join(rng.choice(HEX) for _ in range(n))


def semver(rng):
    major = min(int(rng.expovariate(0.6)), 30)
    return "%d.%d.%d" % (major, rng.randrange(40), rng.randrange(60))


def datestamp(rng):
    return "%04d%02d%02d%02d%02d%02d" % (
        rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28),
        rng.randrange(24), rng.randrange(60), rng.randrange(60))


def make(rng, shape):
    if shape == "main_build":
        return "main-%s-%d" % (sha(rng, 7), rng.randint(1, 2_000_000))
    if shape == "branch_build":
        return "%s-%s-%d" % (rng.choice(BRANCHES), sha(rng, 7), rng.randint(1, 2_000_000))
    if shape == "feature_build":
        return "feature-%s-%d-%s-%d" % (rng.choice(["ABC", "OPS", "WEB", "PAY"]),
                                        rng.randint(1, 9999), sha(rng, 7), rng.randint(1, 2_000_000))
    if shape == "main_unix_ts":
        return "main-%s-%d" % (sha(rng, 8), rng.randint(1_546_300_800, 1_767_225_600))
    if shape == "semver":
        return semver(rng)
    if shape == "vsemver":
        return "v" + semver(rng)
    if shape == "prerelease":
        return "%s%s-%s.%d" % (rng.choice(["", "v"]), semver(rng),
                               rng.choice(["rc", "beta", "alpha", "pre"]), rng.randint(0, 20))
    if shape == "buildmeta":
        # '+' is not allowed in registry tags; registries and CI use '_' instead.
        return "%s_build.%d" % (semver(rng), rng.randint(1, 5000))
    if shape == "datestamp":
        return "%s-%s" % (datestamp(rng), sha(rng, 3))
    if shape == "minio_release":
        d = datestamp(rng)
        return "RELEASE.%s-%s-%sT%s-%s-%sZ" % (d[0:4], d[4:6], d[6:8], d[8:10], d[10:12], d[12:14])
    if shape == "sha":
        return "sha-" + sha(rng, 7)
    if shape == "floating":
        return rng.choice(FLOATING) + ("" if rng.random() < 0.5 else "-%d" % rng.randrange(1000))
    if shape == "junk":
        n = rng.randint(1, 40)
        return rng.choice(JUNK_FIRST) + "".join(rng.choice(JUNK_REST) for _ in range(n - 1))
    raise ValueError(shape)


def generate(count, seed):
    rng = random.Random(seed)
    names = [s for s, _ in SHAPES]
    weights = [w for _, w in SHAPES]
    seen = set()
    out = []
    per = {s: 0 for s in names}
    while len(out) < count:
        shape = rng.choices(names, weights)[0]
        t = make(rng, shape)
        if t in seen:
            continue
        seen.add(t)
        out.append(t)
        per[shape] += 1
    rng.shuffle(out)
    return out, per


def write_list(tags, path):
    data = "\n".join(tags) + "\n"
    if path in (None, "-"):
        sys.stdout.write(data)
    else:
        with open(path, "w", encoding="ascii", newline="\n") as f:
            f.write(data)
    return len(data)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Deterministic image tag lists (see module docstring).")
    ap.add_argument("--count", type=int, help="number of distinct tags")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="output file (default: standard output)")
    ap.add_argument("--preset", choices=["all"] + sorted(PRESETS), help="write tags-<size>.txt file(s)")
    ap.add_argument("--out-dir", default=".", help="directory for --preset files")
    a = ap.parse_args(argv)
    jobs = []
    if a.preset:
        sizes = sorted(PRESETS.items(), key=lambda kv: kv[1]) if a.preset == "all" else [(a.preset, PRESETS[a.preset])]
        os.makedirs(a.out_dir, exist_ok=True)
        jobs = [(n, os.path.join(a.out_dir, "tags-%s.txt" % k)) for k, n in sizes]
    elif a.count:
        jobs = [(a.count, a.out)]
    else:
        ap.error("give --count or --preset")
    for n, path in jobs:
        tags, per = generate(n, a.seed)
        nbytes = write_list(tags, path)
        sys.stderr.write(json.dumps({"file": path or "-", "count": n, "seed": a.seed,
                                     "bytes": nbytes, "shapes": per}) + "\n")


if __name__ == "__main__":
    main()
