#!/usr/bin/env python3
"""The layout rules `make test` holds the code to (see README, "Layout"):

1. No source file under functions/*/src is over 350 lines.
2. Only a function's composition root (src/app.rs) and its thin mains wire MySQL and AWS
   together: no other module names both `sqlx` and an AWS SDK crate or client.
3. No two modules of a crate import each other (`use crate::a` in b and `use crate::b` in a).
4. The notifier compiles neither sqlx nor axum (checked with `cargo tree` by the caller).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_LINES = 350
AWS = re.compile(r"\baws_sdk_\w+|\bLazyClient\b|taskboard_core::aws\b")
SQL = re.compile(r"\bsqlx\b")
ROOTS = {"app.rs", "main.rs"}

failures = []
for src in sorted(ROOT.glob("functions/*/src")):
    for path in sorted(src.rglob("*.rs")):
        rel = path.relative_to(ROOT)
        text = path.read_text()
        lines = text.count("\n")
        if lines > MAX_LINES:
            failures.append(f"{rel}: {lines} lines (at most {MAX_LINES})")
        is_root = path.name in ROOTS or path.parent.name == "bin"
        if not is_root and SQL.search(text) and AWS.search(text):
            failures.append(f"{rel}: uses both sqlx and AWS; only the composition root may")

# Module imports per crate, submodules included: module path -> module paths it names through
# `crate::`, `super::` or a child module of its own. A cycle of two is a pair that name each other.
def module_path(src, path):
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    return tuple(parts)


def resolve(known, start):
    """The longest known module path that `start` begins with."""
    for n in range(len(start), 0, -1):
        if tuple(start[:n]) in known:
            return tuple(start[:n])
    return None


for src in sorted(list(ROOT.glob("crates/*/src")) + list(ROOT.glob("functions/*/src"))
                  + list(ROOT.glob("tools/*/src"))):
    files = {}
    for path in src.rglob("*.rs"):
        module = module_path(src, path)
        if module[0] in ("lib", "main", "bin") or "tests" in module:
            continue
        files[module] = re.sub(r"//[^\n]*", "", path.read_text())
    known = set(files)
    imports = {}
    for module, text in files.items():
        named = set()
        for chain in re.findall(r"\bcrate::((?:\w+::)*\w+)", text):
            named.add(resolve(known, chain.split("::")))
        for chain in re.findall(r"\bsuper::((?:\w+::)*\w+)", text):
            named.add(resolve(known, list(module[:-1]) + chain.split("::")) or module[:-1])
        for child in re.findall(r"^\s*(?:pub(?:\(\w+\))? )?mod (\w+);", text, re.M):
            named.add(resolve(known, list(module) + [child]))
        imports[module] = {n for n in named if n and n != module}
    for a, named in sorted(imports.items()):
        for b in sorted(named):
            if a < b and a in imports.get(b, set()):
                pair = "`{}` and `{}`".format("::".join(a), "::".join(b))
                failures.append(f"{src.relative_to(ROOT)}: modules {pair} import each other")

if failures:
    print("layout rules broken:", *failures, sep="\n  ")
    sys.exit(1)
print("layout rules hold: file sizes, composition roots, no module cycles")
