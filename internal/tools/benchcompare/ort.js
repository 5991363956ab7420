// ort.js is the ONNX Runtime side of `make bench-compare`: a long-lived
// process that reads one JSON command per line on stdin and answers one JSON
// line on stdout, so that the Go driver can interleave trtc and ONNX Runtime
// iterations. Times are measured here, around the ONNX Runtime call only.
//
//   {"op":"load","id":ID,"model":PATH,"threads":N,"inputs":{NAME:NPY}} -> {"ms":session creation}
//   {"op":"run","id":ID}                                               -> {"ms":one session.run}
//   {"op":"create","model":PATH,"threads":N}                           -> {"ms":session creation}, session dropped
'use strict';
const fs = require('fs');
const readline = require('readline');
const ort = require(process.env.ORT_NODE_MODULE || 'onnxruntime-node');

// readNpy parses a little-endian .npy file (float32, int64, int32).
function readNpy(path) {
  const buf = fs.readFileSync(path);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const off = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', off, off + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(path + ': fortran order');
  const data = buf.subarray(off + hlen);
  const copy = new Uint8Array(data).buffer; // aligned copy
  switch (descr) {
    case '<f4': return new ort.Tensor('float32', new Float32Array(copy), shape);
    case '<i8': return new ort.Tensor('int64', new BigInt64Array(copy), shape);
    case '<i4': return new ort.Tensor('int32', new Int32Array(copy), shape);
  }
  throw new Error(path + ': unsupported dtype ' + descr);
}

function options(threads) {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
}

const sessions = new Map();

async function handle(cmd) {
  switch (cmd.op) {
    case 'load': {
      const t0 = process.hrtime.bigint();
      const s = await ort.InferenceSession.create(cmd.model, options(cmd.threads));
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const feeds = {};
      for (const [name, path] of Object.entries(cmd.inputs)) feeds[name] = readNpy(path);
      sessions.set(cmd.id, { s, feeds });
      return { ms };
    }
    case 'run': {
      const { s, feeds } = sessions.get(cmd.id);
      const t0 = process.hrtime.bigint();
      await s.run(feeds);
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    }
    case 'create': {
      const t0 = process.hrtime.bigint();
      const s = await ort.InferenceSession.create(cmd.model, options(cmd.threads));
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      await s.release();
      return { ms };
    }
  }
  throw new Error('unknown op ' + cmd.op);
}

const rl = readline.createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on('line', (line) => {
  chain = chain.then(async () => {
    let out;
    try {
      out = await handle(JSON.parse(line));
    } catch (e) {
      out = { error: String(e && e.message ? e.message : e) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  });
});
rl.on('close', () => chain.then(() => process.exit(0)));
process.stdout.write(JSON.stringify({ ready: ort.env.versions ? ort.env.versions.common : 'unknown' }) + '\n');
