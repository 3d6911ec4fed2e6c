// SPDX-License-Identifier: BSL-1.0
// Dumps branches of a ROOT TTree with the independent reader jsroot, as JSON, for hepad's
// cross-check tests. Usage:
//   node dump_root.mjs FILE TREE OUT.json [BRANCH,BRANCH,...]
// Without a branch list, every branch whose leaf jsroot can read is dumped. Output:
//   {"entries": N, "branches": {"name": {"leaf": "TLeafF", "unsigned": false,
//                                        "counter": "nMuon" | null, "values": [...]}}}
// Values: one per entry (a number, a bool, a string, or an array for jagged/array leaves);
// non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity" (JSON has none).
// Modules are found in $HEPAD_JS_DIR/node_modules (see tests/js/js.cmake).
import { writeFileSync } from 'node:fs';

const jsDir = process.env.HEPAD_JS_DIR;
if (!jsDir) {
  console.error('dump_root.mjs: set HEPAD_JS_DIR');
  process.exit(2);
}
const { openFile } = await import(jsDir + '/node_modules/jsroot/modules/io.mjs');
const { TSelector, treeProcess } = await import(jsDir + '/node_modules/jsroot/modules/tree.mjs');

const [path, treeName, out, list] = process.argv.slice(2);
const file = await openFile(path);
const tree = await file.readObject(treeName);
const all = tree.fBranches.arr;
const byName = new Map(all.map(b => [b.fName, b]));
let names = list ? list.split(',') : all.map(b => b.fName);
for (const n of names)
  if (!byName.has(n)) {
    console.error(`dump_root.mjs: no branch ${n}`);
    process.exit(3);
  }
const counterOf = b => {
  const leaf = b.fLeaves.arr[0];
  return leaf && leaf.fLeafCount ? leaf.fLeafCount.fName : null;
};
// counters before the jagged branches that use them (jsroot requirement)
const counters = new Set(names.map(n => counterOf(byName.get(n))).filter(c => c));
names = [...names.filter(n => counters.has(n)), ...names.filter(n => !counters.has(n))];

const result = { entries: tree.fEntries, branches: {} };
const fix = v => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : (typeof v === 'bigint' ? Number(v) : v));
const sel = new TSelector();
for (const n of names) {
  const b = byName.get(n);
  const leaf = b.fLeaves.arr[0];
  result.branches[n] = { leaf: leaf._typename, unsigned: !!leaf.fIsUnsigned, counter: counterOf(b), values: [] };
  if (sel.addBranch(n) < 0) {
    console.error(`dump_root.mjs: jsroot cannot add branch ${n}`);
    process.exit(4);
  }
}
sel.Process = function () {
  for (const n of names) {
    const v = this.tgtobj[n];
    result.branches[n].values.push(ArrayBuffer.isView(v) || Array.isArray(v) ? Array.from(v, fix) : fix(v));
  }
};
await treeProcess(tree, sel, { numentries: tree.fEntries });
writeFileSync(out, JSON.stringify(result));
