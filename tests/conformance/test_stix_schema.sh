#!/usr/bin/env bash
# STIX 2.1 export validated against the official OASIS STIX 2.1 JSON schemas
# ($C2C_SHARED/threat-intel/stix2-examples/cti-stix2-json-schemas/schemas) with Debian's node-ajv.
# The bundles come from the unit test binary test_stix (C2C_STIX_OUT=<dir>): the §4.8 case with
# TLP marking, relays, key link, and an empty case. A broken copy must be rejected (negative
# control), so the check cannot pass vacuously. Nothing is downloaded.
set -euo pipefail

schemas="${C2C_SHARED:-../shared/data}/threat-intel/stix2-examples/cti-stix2-json-schemas/schemas"
examples="${C2C_SHARED:-../shared/data}/threat-intel/stix2-examples/cti-documentation/examples/example_json"
validator="${C2C_SRC:-.}/tests/conformance/stix_validate.js"
bin="${C2C_BUILD:-build}/tests/test_stix"

if [ ! -d "$schemas" ]; then
	echo "SKIP: STIX 2.1 schemas not present at $schemas"
	exit 77
fi
if ! command -v node >/dev/null 2>&1 || [ ! -d /usr/share/nodejs/ajv ]; then
	echo "SKIP: needs node and Debian package node-ajv (apt-get install node-ajv)"
	exit 77
fi
if [ ! -x "$bin" ]; then
	echo "SKIP: $bin not built"
	exit 77
fi
export NODE_PATH=/usr/share/nodejs

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
C2C_STIX_OUT="$out" "$bin" >/dev/null
ls "$out"/*.stix.json >/dev/null

# The validator accepts the OASIS examples (sanity) and our bundles.
node "$validator" "$schemas" "$examples"/apt1.json "$examples"/poisonivy.json
node "$validator" "$schemas" "$out"/*.stix.json

# Negative control: a relationship without target_ref and a malformed id must fail.
python3 - "$out/k1.stix.json" "$out/broken.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
for o in b["objects"]:
    if o["type"] == "relationship":
        del o["target_ref"]
        break
b["objects"][0]["id"] = "identity--not-a-uuid"
json.dump(b, open(sys.argv[2], "w"))
PY
if node "$validator" "$schemas" "$out/broken.json" >/dev/null; then
	echo "FAIL: a broken bundle passed validation"
	exit 1
fi
echo "PASS: STIX 2.1 bundles valid against the official schemas; broken copy rejected"
