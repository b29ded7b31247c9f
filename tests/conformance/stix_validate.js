// Validate STIX 2.1 bundles against the official OASIS JSON schemas (cti-stix2-json-schemas).
// Usage: NODE_PATH=/usr/share/nodejs node stix_validate.js SCHEMA_DIR BUNDLE...
// Uses Debian's node-ajv (6.x, JSON Schema draft-07). The OASIS schemas declare draft 2020-12
// but use no keyword that draft-07 lacks; `extendRefs: true` applies the keywords that sit next
// to "$ref" (2019+ semantics), so constraints such as "pattern": "^identity--" are enforced.
'use strict';
const Ajv = require('ajv');
const fs = require('fs');
const path = require('path');

const root = process.argv[2];
const base = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';
const ajv = new Ajv({ extendRefs: true, unknownFormats: 'ignore', allErrors: true,
  schemaId: '$id', validateSchema: false, logger: false });
function walk(d) {
  for (const f of fs.readdirSync(d).sort()) {
    const p = path.join(d, f);
    if (fs.statSync(p).isDirectory()) walk(p);
    else if (f.endsWith('.json')) {
      const s = JSON.parse(fs.readFileSync(p));
      delete s['$schema'];
      ajv.addSchema(s);
    }
  }
}
walk(root);
const scos = new Set(fs.readdirSync(path.join(root, 'observables')).map(f => f.replace('.json', '')));
const common = new Set(['marking-definition', 'extension-definition', 'language-content']);
function schemaFor(type) {
  const dir = (type === 'relationship' || type === 'sighting') ? 'sros'
    : scos.has(type) ? 'observables' : common.has(type) ? 'common' : 'sdos';
  return ajv.getSchema(base + dir + '/' + type + '.json');
}
let bad = 0, total = 0;
for (const file of process.argv.slice(3)) {
  const bundle = JSON.parse(fs.readFileSync(file));
  // The envelope. common/bundle.json itself is not used: its list of object types lacks the
  // 2.1 types grouping, location, note, opinion, incident, malware-analysis and
  // extension-definition, and its fallback branch (oneOf core / cyber-observable-core) can never
  // pass for an SDO, because every SDO also satisfies cyber-observable-core. Every object is
  // validated against the schema of its own type instead, as the OASIS validator does.
  const vid = ajv.getSchema(base + 'common/identifier.json');
  if (bundle.type !== 'bundle' || !vid(bundle.id) || !/^bundle--/.test(bundle.id) ||
      !Array.isArray(bundle.objects) || bundle.objects.length === 0) {
    console.log(file + ': not a STIX 2.1 bundle envelope'); bad++;
  }
  for (const o of bundle.objects || []) {
    total++;
    const v = schemaFor(o.type);
    if (!v) { console.log(file + ': ' + o.id + ': no schema for type ' + o.type); bad++; continue; }
    if (!v(o)) {
      bad++;
      for (const e of v.errors)
        console.log(file + ': ' + o.id + ': ' + e.dataPath + ' ' + e.message + ' ' +
          JSON.stringify(e.params));
    }
  }
}
console.log('validated ' + total + ' objects, ' + bad + ' invalid');
process.exit(bad ? 1 : 0);
