// SPDX-License-Identifier: BSL-1.0
// Independent check of examples/nanoaod_4mu's relaxed-selection output. For every dataset it
// reads the input NanoAOD file with jsroot, applies the cms-anomfinder selection written out here
// from the specification (MET filters AND [+ Flag_eeBadScFilter for data], trigger OR, muons with
// pt > 5, |eta| < 2.4, mediumId, pfRelIso04_all < 0.25, at least min_objects of them; a missing
// flag or trigger counts as false), computes the MC weight genWeight x pileup x product of muon
// scale factors with its own correctionlib lookup, and compares every row and column with the
// Parquet file as read by hyparquet and by parquet-wasm (through tests/js/read_parquet.mjs),
// including the schema (unsigned annotations) and the row count; and the counts in the cutflow JSON.
// Usage: node check_nanoaod_4mu.mjs OUTPUT_DIR EXAMPLE_DIR DATASET...
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [outDir, exampleDir, ...datasets] = process.argv.slice(2);
const jsDir = process.env.HEPAD_JS_DIR;
const { openFile } = await import(jsDir + '/node_modules/jsroot/modules/io.mjs');
const { TSelector, treeProcess } = await import(jsDir + '/node_modules/jsroot/modules/tree.mjs');
const here = dirname(fileURLToPath(import.meta.url));

const relaxed = JSON.parse(readFileSync(join(exampleDir, 'relaxed.json'), 'utf8'));
const minObjects = relaxed.min_objects ?? 4;
const metFilters = ['Flag_goodVertices', 'Flag_globalSuperTightHalo2016Filter', 'Flag_HBHENoiseFilter',
  'Flag_HBHENoiseIsoFilter', 'Flag_EcalDeadCellTriggerPrimitiveFilter', 'Flag_BadPFMuonFilter',
  'Flag_BadChargedCandidateFilter', 'Flag_ecalBadCalibFilter'];
const dataFilters = ['Flag_eeBadScFilter'];
const triggers = ['HLT_Mu17_TrkIsoVVL_Mu8_TrkIsoVVL', 'HLT_Mu17_TrkIsoVVL_TkMu8_TrkIsoVVL', 'HLT_TripleMu_12_10_5'];

// --- a small correctionlib lookup (category, binning with clamp/error, transform abs, numbers) ---
const findCorr = (file, name) => JSON.parse(readFileSync(file, 'utf8')).corrections.find(c => c.name === name);
function lookup(corr, values) {
  const idx = Object.fromEntries(corr.inputs.map((d, i) => [d.name, i]));
  const vals = [...values];
  const edge = e => (e === 'inf' || e === '+inf' ? Infinity : e === '-inf' ? -Infinity : e);
  const walk = node => {
    if (typeof node === 'number') return node;
    if (node.nodetype === 'category') {
      const x = vals[idx[node.input]];
      const hit = node.content.find(c => c.key === x);
      if (!hit) throw new Error(`no category ${x}`);
      return walk(hit.value);
    }
    if (node.nodetype === 'transform') {
      if (node.rule.expression !== 'abs(x)') throw new Error('only abs(x) transforms here');
      vals[idx[node.input]] = Math.abs(vals[idx[node.input]]);
      return walk(node.content);
    }
    if (node.nodetype === 'binning') {
      const x = vals[idx[node.input]];
      const e = node.edges.map(edge);
      let b = -1;
      for (let i = 0; i + 1 < e.length; ++i) if (x >= e[i] && x < e[i + 1]) b = i;
      if (b < 0) {
        if (node.flow !== 'clamp') throw new Error(`${x} outside the binning`);
        b = x < e[0] ? 0 : e.length - 2;
      }
      return walk(node.content[b]);
    }
    throw new Error(`node type ${node.nodetype}`);
  };
  return walk(corr.data);
}
const pu = findCorr(join(exampleDir, 'corrections/pileup_test.json'), 'Collisions16_UltraLegacy_goldenJSON');
const sf = findCorr(join(exampleDir, 'corrections/muon_sf_test.json'), 'NUM_MediumID_DEN_TrackerMuons');

async function readTree(path, wanted) {
  const file = await openFile(path);
  const tree = await file.readObject('Events');
  const have = new Set(tree.fBranches.arr.map(b => b.fName));
  const names = ['nMuon', ...wanted.filter(n => n !== 'nMuon' && have.has(n))];
  const cols = Object.fromEntries(names.map(n => [n, []]));
  const sel = new TSelector();
  for (const n of names) sel.addBranch(n);
  sel.Process = function () {
    for (const n of names) {
      const v = this.tgtobj[n];
      cols[n].push(ArrayBuffer.isView(v) ? Array.from(v) : v);
    }
  };
  await treeProcess(tree, sel, { numentries: tree.fEntries });
  return { entries: tree.fEntries, cols, have };
}

let failures = 0;
const fail = msg => { ++failures; console.error('MISMATCH: ' + msg); };

for (const name of datasets) {
  const cfg = JSON.parse(readFileSync(join(exampleDir, 'dataset', name + '.json'), 'utf8'))[name];
  const isMC = cfg.metadata.isMC;
  const path = join(exampleDir, 'dataset', Object.keys(cfg.files)[0]);
  const mu = ['pt', 'eta', 'phi', 'pdgId', 'dz', 'dxy', 'mediumId', 'pfRelIso04_all'].map(f => 'Muon_' + f);
  const flags = [...metFilters, ...(isMC ? [] : dataFilters)];
  const { entries, cols } = await readTree(path, ['event', 'run', 'luminosityBlock', ...mu, ...flags, ...triggers,
    ...(isMC ? ['genWeight', 'Pileup_nTrueInt'] : [])]);
  const flag = (n, i) => (n in cols ? !!cols[n][i] : false);
  const expected = [];
  for (let i = 0; i < entries; ++i) {
    const pass = flags.every(f => flag(f, i)) && triggers.some(t => flag(t, i));
    const sel = [];
    for (let k = 0; k < cols.Muon_pt[i].length; ++k)
      if (cols.Muon_pt[i][k] > 5 && Math.abs(cols.Muon_eta[i][k]) < 2.4 && cols.Muon_mediumId[i][k] &&
          cols.Muon_pfRelIso04_all[i][k] < 0.25) sel.push(k);
    if (!pass || sel.length < minObjects) continue;
    const row = { event: String(cols.event[i]), run: cols.run[i], luminosityBlock: cols.luminosityBlock[i] };
    if (isMC) {
      let sfProduct = 1.0;
      for (const k of sel) sfProduct *= lookup(sf, [cols.Muon_eta[i][k], cols.Muon_pt[i][k], 'nominal']);
      let w = 1.0;
      w *= cols.genWeight[i];
      w *= lookup(pu, [cols.Pileup_nTrueInt[i], 'nominal']);
      w *= sfProduct;
      row.weight = w;
    }
    for (let j = 0; j < 4; ++j)
      for (const f of ['pt', 'eta', 'phi', 'pdgId', 'dz', 'dxy'])
        row[f + j] = j < sel.length ? cols['Muon_' + f][i][sel[j]] : null;
    expected.push(row);
  }

  const pqFile = join(outDir, name + '.parquet');
  const all = JSON.parse(execFileSync('node', [join(here, 'read_parquet.mjs'), pqFile],
    { env: process.env, maxBuffer: 1 << 28 }).toString());
  const pq = all[pqFile] ?? all;  // read_parquet.mjs keys its result by file
  const names = ['event', 'run', 'luminosityBlock', ...(isMC ? ['weight'] : []),
    ...[0, 1, 2, 3].flatMap(j => ['pt', 'eta', 'phi', 'pdgId', 'dz', 'dxy'].map(f => f + j))];
  const schema = pq.hyparquet.schema;
  if (JSON.stringify(schema.map(s => s.name)) !== JSON.stringify(names)) fail(`${name}: columns ${schema.map(s => s.name)}`);
  const byName = Object.fromEntries(schema.map(s => [s.name, s]));
  if (byName.event?.converted_type !== 'UINT_64') fail(`${name}: event is ${byName.event?.converted_type}`);
  if (byName.run?.converted_type !== 'UINT_32') fail(`${name}: run is ${byName.run?.converted_type}`);
  if (byName.pt0 && byName.pt0.type !== 'FLOAT') fail(`${name}: pt0 is ${byName.pt0.type}`);
  if (isMC && byName.weight?.type !== 'DOUBLE') fail(`${name}: weight is ${byName.weight?.type}`);
  for (const [reader, r] of [['hyparquet', pq.hyparquet], ['parquet-wasm', pq.parquet_wasm]]) {
    if (r.error) { fail(`${name}: ${reader}: ${r.error}`); continue; }
    if (r.rows !== expected.length) fail(`${name}: ${reader} counted ${r.rows} rows, expected ${expected.length}`);
    for (const n of names) {
      const got = r.columns[n] ?? [];
      for (let i = 0; i < expected.length; ++i) {
        const want = expected[i][n];
        if (String(got[i]) !== String(want)) fail(`${name}: ${reader} ${n}[${i}] = ${got[i]}, expected ${want}`);
      }
    }
  }
  if (pq.hyparquet.footer_rows !== expected.length) fail(`${name}: footer num_rows ${pq.hyparquet.footer_rows}`);
  const summary = JSON.parse(readFileSync(join(outDir, name + '_cutflow.json'), 'utf8'));
  if (summary.events !== entries) fail(`${name}: cutflow events ${summary.events}, expected ${entries}`);
  if (summary.selected !== expected.length) fail(`${name}: cutflow selected ${summary.selected}, expected ${expected.length}`);
  console.log(`${name}: ${expected.length} rows x ${names.length} columns equal the jsroot-computed values (hyparquet and parquet-wasm)`);
}
if (failures) {
  console.error(`${failures} mismatches`);
  process.exit(1);
}
