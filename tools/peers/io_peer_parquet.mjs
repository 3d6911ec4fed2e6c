// SPDX-License-Identifier: BSL-1.0
// JS peers for reading the Parquet benchmark table written by benchmarks/io.cpp (no Python
// Parquet reader exists in Debian 12: no pyarrow, no fastparquet). Times, best of REPS, reading
// every column of each file with hyparquet (+ compressors) and with parquet-wasm (arrow-rs) to an
// Arrow table, and prints one JSON line.
// Usage: HEPAD_JS_DIR=build/<you>/js node tools/peers/io_peer_parquet.mjs DIR [REPS]
import { readFileSync, readdirSync } from 'node:fs';

const dir = process.argv[2] || '/tmp/hepad_io_bench';
const reps = Number(process.argv[3] || 3);
const mods = (process.env.HEPAD_JS_DIR || '.') + '/node_modules/';
const hp = await import(mods + 'hyparquet/src/node.js');
const { compressors } = await import(mods + 'hyparquet-compressors/src/index.js');
const pw = await import(mods + 'parquet-wasm/node/parquet_wasm.js');
const arrow = await import(mods + 'apache-arrow/Arrow.node.mjs');

const out = { peer: 'io_parquet_js', files: {} };
for (const f of readdirSync(dir).filter((n) => n.endsWith('.parquet')).sort()) {
  const bytes = readFileSync(dir + '/' + f);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const best = async (fn) => {
    let t = Infinity;
    for (let r = 0; r < reps; ++r) {
      const t0 = process.hrtime.bigint();
      await fn();
      t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return t;
  };
  const rows = { n: 0 };
  const th = await best(async () => {
    await hp.parquetRead({ file: ab, compressors, rowFormat: 'object', onComplete: (d) => (rows.n = d.length) });
  });
  const tw = await best(async () => {
    const t = arrow.tableFromIPC(pw.readParquet(new Uint8Array(bytes)).intoIPCStream());
    rows.w = t.numRows;
  });
  out.files[f] = { rows: rows.n, rows_wasm: rows.w, hyparquet_s: th, parquet_wasm_s: tw };
}
process.stdout.write(JSON.stringify(out) + '\n');
