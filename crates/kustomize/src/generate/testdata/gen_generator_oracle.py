#!/usr/bin/env python3
"""Regenerates generator_oracle.json: generator cases with the oracle's output.

Each case is a base kustomization (generators only) and optionally an overlay
(generators only, over the base), plus the files they read. `kubectl kustomize`
(kustomize v5.5.0) builds the top layer; the printed objects are stored with the
inputs. `generate::tests::oracle_cases_match_kubectl_kustomize` replays them.

Run from this folder:  python3 gen_generator_oracle.py > generator_oracle.json
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

import yaml

CASES = []


def case(name, base, overlay=None, files=None):
    CASES.append({"name": name, "base": base, "overlay": overlay, "files": files or {}})


ENV = 'A="quoted value"\nB=\'single\'\n  C=leading ws\nD=trailing ws   \n# comment\n\nE\nF="unbalanced\nG=x=y\nH= spaced\n'
case("literals_quotes_and_equals", {"configMapGenerator": [{"name": "lit", "literals": [
    'A="quoted value"', "B='single'", 'C="unbalanced', "D=", "E==x", "F=a=b", "G=''", 'H="', "k=<&>"]}]})
case("env_file", {"configMapGenerator": [{"name": "env", "envs": ["app.env"]}]}, files={"app.env": ENV})
case("env_file_crlf_and_bom", {"configMapGenerator": [{"name": "env", "envs": ["w.env"]}]},
     files={"w.env": "\ufeffA=1\r\nB=2\r\n"})
case("deprecated_env_field_after_envs", {"configMapGenerator": [{"name": "e", "envs": ["a.env"], "env": "b.env"}]},
     files={"a.env": "A=1\n", "b.env": "B=2\n"})
case("files_text_binary_and_renamed", {"configMapGenerator": [{"name": "files", "files": [
    "file.txt", "renamed=file.txt", "sub/bin.dat", "long=long.txt"]}]},
     files={"file.txt": "line1\nline2\n", "sub/bin.dat": b"\x00\x01\xff\xfe", "long.txt": "x" * 200})
case("empty_configmap", {"configMapGenerator": [{"name": "empty"}]})
case("options_and_global_options", {
    "configMapGenerator": [
        {"name": "opts", "literals": ["a=b"], "options": {
            "labels": {"l1": "local", "shared": "local"}, "annotations": {"a1": "local"},
            "disableNameSuffixHash": True, "immutable": True}},
        {"name": "plain", "namespace": "ns", "literals": ["a=b"]}],
    "generatorOptions": {"labels": {"g1": "global", "shared": "global"}, "annotations": {"ga": "global"}}})
case("global_disable_hash_and_immutable", {
    "configMapGenerator": [{"name": "c", "literals": ["a=b"]}],
    "secretGenerator": [{"name": "s", "literals": ["a=b"]}],
    "generatorOptions": {"disableNameSuffixHash": True, "immutable": True}})
case("secrets_type_and_long_values", {"secretGenerator": [
    {"name": "sec", "type": "kubernetes.io/tls", "literals": [
        "short=abc", "long=0123456789012345678901234567890123456789012345678901234567890123456789",
        "exact=01234567890123456789012345678901234567890123456789012"]},
    {"name": "sec2", "literals": ["x=y"]},
    {"name": "binsec", "files": ["bin.dat"]},
    {"name": "empty"}]}, files={"bin.dat": b"\x00\x01\xff\xfe"})
case("duplicate_key_is_an_error", {"configMapGenerator": [{"name": "a", "literals": ["x=1", "x=2"]}]})
case("duplicate_key_across_sources_is_an_error", {"configMapGenerator": [
    {"name": "a", "literals": ["x=1"], "envs": ["x.env"]}]}, files={"x.env": "x=2\n"})
case("literal_without_equals_is_an_error", {"configMapGenerator": [{"name": "a", "literals": ["noequals"]}]})
case("file_source_with_two_equals_is_an_error", {"configMapGenerator": [{"name": "a", "files": ["k=f.txt=x"]}]},
     files={"f.txt": "x"})
case("missing_name_is_an_error", {"configMapGenerator": [{"literals": ["a=b"]}]})
case("unknown_generator_field_is_an_error", {"configMapGenerator": [{"name": "a", "literal": ["a=b"]}]})
case("secret_type_field_on_configmap_is_an_error", {"configMapGenerator": [{"name": "a", "type": "x"}]})
case("keys_are_not_validated", {"configMapGenerator": [{"name": "a", "literals": ["bad key=1", "..a=2"],
                                                         "envs": ["k.env"]}]}, files={"k.env": "1BAD=3\n"})

BASE = {"configMapGenerator": [
    {"name": "hashed", "literals": ["a=1", "b=2"], "options": {"labels": {"base": "ex", "both": "base"}}},
    {"name": "plain", "literals": ["a=1"], "options": {"disableNameSuffixHash": True}},
    {"name": "bin", "files": ["bin.dat"]}],
    "secretGenerator": [{"name": "creds", "literals": ["user=base"], "type": "kubernetes.io/basic-auth"}]}
BFILES = {"bin.dat": b"\x00\x01\xff"}
case("merge_keeps_old_data_and_metadata", BASE, {"configMapGenerator": [
    {"name": "hashed", "behavior": "merge", "literals": ["b=3", "c=4"], "options": {"labels": {"ov": "why", "both": "ov"}}},
    {"name": "bin", "behavior": "merge", "literals": ["t=x"]}],
    "secretGenerator": [{"name": "creds", "behavior": "merge", "literals": ["pass=overlay"]}]}, files=BFILES)
case("replace_drops_old_data_keeps_metadata", BASE, {"configMapGenerator": [
    {"name": "hashed", "behavior": "replace", "literals": ["z=9"]}],
    "secretGenerator": [{"name": "creds", "behavior": "replace", "literals": ["token=t"]}]}, files=BFILES)
case("hash_needs_both_layers", BASE, {"configMapGenerator": [
    {"name": "hashed", "behavior": "merge", "literals": ["b=3"], "options": {"disableNameSuffixHash": True}},
    {"name": "plain", "behavior": "replace", "literals": ["z=9"]}]}, files=BFILES)
case("merge_without_base_is_an_error", {"configMapGenerator": [{"name": "x", "behavior": "merge", "literals": ["a=b"]}]})
case("create_over_existing_is_an_error", BASE, {"configMapGenerator": [{"name": "plain", "literals": ["a=b"]}]},
     files=BFILES)


def write(d, files, k):
    os.makedirs(d, exist_ok=True)
    for path, content in files.items():
        p = os.path.join(d, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(p, mode, **({} if mode == "wb" else {"newline": ""})) as f:
            f.write(content)
    with open(os.path.join(d, "kustomization.yaml"), "w") as f:
        f.write(yaml.safe_dump(k))


def run(c):
    with tempfile.TemporaryDirectory() as d:
        write(os.path.join(d, "base"), c["files"], c["base"])
        top = "base"
        if c["overlay"] is not None:
            write(os.path.join(d, "overlay"), {}, {"resources": ["../base"], **c["overlay"]})
            top = "overlay"
        p = subprocess.run(["kubectl", "kustomize", os.path.join(d, top)], capture_output=True, text=True)
        if p.returncode != 0:
            return {"error": True}
        return {"error": False, "output": [x for x in yaml.safe_load_all(p.stdout) if x is not None]}


def encode_files(files):
    out = {}
    for k, v in files.items():
        b = v if isinstance(v, bytes) else v.encode()
        out[k] = base64.b64encode(b).decode()
    return out


out = []
for c in CASES:
    out.append({"name": c["name"], "base": c["base"], "overlay": c["overlay"],
                "files_base64": encode_files(c["files"]), **run(c)})
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
