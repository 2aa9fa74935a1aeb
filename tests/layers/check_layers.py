#!/usr/bin/env python3
"""Checks the layering of decision 0001 from the sources' #include lines:

  foundation  includes only foundation headers (strata/{error,value,row,codec,codec_json,
              redact,sha256,timestamp_text}.hpp and its own internal headers);
  core, lanes, adapters, orm, split (src/)
              never include a driver (strata/sqlite.hpp, strata/postgres*.hpp,
              sqlite3.h, libpq-fe.h);
  drivers     reach strata's internals only through what src/ offers, never another
              driver's sources;
  relay       (apps/relay) uses strata's public headers only: no src/ internals;
  dialect SQL (catalogs, pragmas) appears in adapters and drivers, not in foundation,
              core, lanes, orm or split.

    tests/layers/check_layers.py SOURCE_DIR     prints every violation; exit 1 if any
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
include = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
FOUNDATION_PUBLIC = {f"strata/{n}.hpp" for n in
                     ("error", "value", "row", "codec", "codec_json", "redact", "sha256", "timestamp_text")}
DRIVER_HEADERS = re.compile(r"^(strata/sqlite\.hpp|strata/postgres.*\.hpp|sqlite3\.h|libpq-fe\.h)$")
INTERNAL = re.compile(r"^(core|foundation|adapters|lanes|orm|split)/")
violations = []


def includes(path):
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        m = include.match(line)
        if m:
            yield n, m.group(1)


def sources(folder):
    return sorted(p for p in (root / folder).rglob("*") if p.suffix in (".cpp", ".hpp"))


for path in sources("src/foundation"):
    for n, inc in includes(path):
        own = (path.parent / inc).exists()
        if inc.startswith("strata/") and inc not in FOUNDATION_PUBLIC or (
                not inc.startswith("strata/") and inc.endswith(".hpp") and not own):
            violations.append(f"{path.relative_to(root)}:{n}: foundation includes {inc}")

for layer in ("src/core", "src/lanes", "src/adapters", "src/orm", "src/split", "include/strata"):
    for path in sources(layer):
        for n, inc in includes(path):
            if DRIVER_HEADERS.match(inc):
                violations.append(f"{path.relative_to(root)}:{n}: {layer} includes the driver header {inc}")

# Dialect SQL (catalogs, pragmas) belongs to the adapters and drivers.
DIALECT = re.compile(r"pg_control|pg_catalog|pg_class|pragma_|PRAGMA\s|sqlite_schema|sqlite_master", re.I)
for layer in ("src/foundation", "src/core", "src/lanes", "src/orm", "src/split"):
    for path in sources(layer):
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if DIALECT.search(line) and not line.lstrip().startswith("#pragma"):
                violations.append(f"{path.relative_to(root)}:{n}: dialect SQL in {layer}: {line.strip()[:80]}")

for driver in ("sqlite", "postgres"):
    other = "postgres" if driver == "sqlite" else "sqlite"
    for path in sources(f"drivers/{driver}"):
        for n, inc in includes(path):
            if inc.startswith(f"{other}_") or inc == f"strata/{other}.hpp":
                violations.append(f"{path.relative_to(root)}:{n}: the {driver} driver includes {inc}")

for path in sources("apps/relay"):
    for n, inc in includes(path):
        if INTERNAL.match(inc) and not (path.parent / inc).exists() and not (root / "apps/relay" / inc).exists():
            violations.append(f"{path.relative_to(root)}:{n}: relay includes strata's internal {inc}")

for v in violations:
    print(v)
print(f"layers: {len(violations)} violation(s)")
sys.exit(1 if violations else 0)
