// tok_bench_ref.mjs - the reference: npm tiktoken (OpenAI's Rust core in
// WebAssembly) encoding a file with o200k_base, timing only the encoding.
//   node tok_bench_ref.mjs NODE_PREFIX FILE [IDS_OUT] [REPEATS] [ENCODING]
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [prefix, file, idsOut, repsArg, encName] = process.argv.slice(2);
const require = createRequire(path.resolve(prefix, "node_modules") + "/");
const { get_encoding } = require("tiktoken");
const enc = get_encoding(encName || "o200k_base");
const buf = readFileSync(file);
const text = buf.toString("utf8");
const reps = Number(repsArg || 3);
let best = Infinity, ids;
for (let r = 0; r < reps; r++) {
  const t0 = process.hrtime.bigint();
  ids = enc.encode_ordinary(text);
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (dt < best) best = dt;
}
if (idsOut) writeFileSync(idsOut, Array.from(ids).join(" ") + "\n");
console.log(`mb_s=${(buf.length / 1e6 / best).toFixed(3)} tokens=${ids.length}`);
enc.free();
