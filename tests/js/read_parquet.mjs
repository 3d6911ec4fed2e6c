// SPDX-License-Identifier: BSL-1.0
// Reads Parquet files with two independent readers and prints one JSON object, keyed by file:
//   { FILE: { "hyparquet": R, "parquet_wasm": R }, ... }  with  R = { "rows": <counted rows>,
//     "footer_rows": n, "schema": [{ "name", "type", "converted_type", "logical", "repetition" }...]
//     (hyparquet only), "types": {name: Arrow type} (parquet-wasm only), "columns": { name: [value per row] } }
// Values: numbers as JSON numbers (NaN/Infinity as strings), 64-bit integers (BigInt) as strings,
// lists as arrays, null as null.
// Usage: node read_parquet.mjs [--columns a,b,c] FILE...
// The modules are imported by absolute path from $HEPAD_JS_DIR/node_modules (see tests/js/js.cmake).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let wanted = null;
if (args[0] === '--columns') {
  wanted = args[1].split(',');
  args.splice(0, 2);
}
const mods = (process.env.HEPAD_JS_DIR || '.') + '/node_modules/';
const hp = await import(mods + 'hyparquet/src/node.js');
const { compressors } = await import(mods + 'hyparquet-compressors/src/index.js');

const plain = (v) => {
  if (typeof v === 'bigint') return v.toString();
  if (v === undefined) return null;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);  // NaN, Infinity, -Infinity
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return Array.from(v, plain);
  if (v && typeof v === 'object' && typeof v.toArray === 'function') return plain(v.toArray());
  return v;
};

const result = {};
for (const file of args) {
const out = {};
result[file] = out;
const bytes = readFileSync(file);
const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

// --- hyparquet (+ compressors for GZIP/ZSTD) -------------------------------------------------
{
  const meta = hp.parquetMetadata(arrayBuffer);
  const rows = await hp.parquetReadObjects({ file: arrayBuffer, compressors, columns: wanted ?? undefined });
  const cols = {};
  const names = wanted ?? meta.schema.filter((s, i) => i > 0).map((s) => s.name);
  for (const n of names) if (rows.length === 0 || n in rows[0]) cols[n] = rows.map((r) => plain(r[n]));
  out.hyparquet = {
    rows: rows.length,
    footer_rows: Number(meta.num_rows),
    schema: meta.schema.slice(1).map((s) => ({
      name: s.name,
      type: s.type ?? null,
      converted_type: s.converted_type ?? null,
      logical: s.logical_type ? JSON.stringify(s.logical_type, (k, v) => (typeof v === 'bigint' ? v.toString() : v)) : null,
      repetition: s.repetition_type ?? null,
    })),
    columns: cols,
  };
}

// --- parquet-wasm (arrow-rs) -> Arrow IPC -> apache-arrow -------------------------------------
// (apache-arrow 21 cannot decode LargeList, which files carrying an ARROW:schema that asks for it
// produce; the error is then reported in place of the result)
try {
  const pw = await import(mods + 'parquet-wasm/node/parquet_wasm.js');
  const arrow = await import(mods + 'apache-arrow/Arrow.node.mjs');
  const t = arrow.tableFromIPC(pw.readParquet(new Uint8Array(bytes)).intoIPCStream());
  const cols = {};
  const types = {};
  for (const f of t.schema.fields) {
    if (wanted && !wanted.includes(f.name)) continue;
    const v = t.getChild(f.name);
    const vals = [];
    for (let i = 0; i < t.numRows; ++i) vals.push(plain(v.get(i)));
    cols[f.name] = vals;
    types[f.name] = String(f.type);
  }
  let counted = 0;
  for (const b of t.batches) counted += b.numRows;
  out.parquet_wasm = { rows: counted, types, columns: cols };
} catch (e) {
  out.parquet_wasm = { error: String(e.message || e) };
}

}
process.stdout.write(JSON.stringify(result));
