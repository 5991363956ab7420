// ort_reference.js DIR INPUT...: runs DIR/model.onnx with ONNX Runtime
// (onnxruntime-node, CPU) on DIR/<INPUT>.npy and writes every output to
// DIR/expected/<output>.npy; for each DIR/<INPUT>_<set>.npy present it also
// writes DIR/expected_<set>/. float32, int64 and bool inputs and outputs.
// Run from a folder where onnxruntime-node is installed (here /work/ort: it is
// resolved from the working directory);
// testdata/gen/gen_control.py says how it was run.
const fs = require('fs');
const path = require('path');
const ort = require(require.resolve('onnxruntime-node', { paths: [process.cwd()] }));

function readNpy(file) {
  const b = fs.readFileSync(file);
  const hlen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const data = b.subarray(10 + hlen);
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
  switch (descr) {
    case '<f4': return new ort.Tensor('float32', new Float32Array(buf), shape);
    case '<i8': return new ort.Tensor('int64', new BigInt64Array(buf), shape);
    case '|b1': return new ort.Tensor('bool', new Uint8Array(buf), shape);
  }
  throw new Error(`${file}: dtype ${descr} not handled`);
}

function writeNpy(file, t) {
  const descr = { float32: '<f4', int64: '<i8', bool: '|b1' }[t.type];
  if (!descr) throw new Error(`output type ${t.type} not handled`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const d = t.data;
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(d.buffer, d.byteOffset, d.byteLength)]));
}

async function main() {
  const [dir, ...inputs] = process.argv.slice(2);
  const sess = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
  const sets = [''];
  for (const f of fs.readdirSync(dir)) {
    const m = new RegExp(`^${inputs[0]}_(\\w+)\\.npy$`).exec(f);
    if (m) sets.push(m[1]);
  }
  for (const set of sets) {
    const feeds = {};
    for (const name of inputs) feeds[name] = readNpy(path.join(dir, set ? `${name}_${set}.npy` : `${name}.npy`));
    const res = await sess.run(feeds);
    const od = path.join(dir, set ? `expected_${set}` : 'expected');
    fs.mkdirSync(od, { recursive: true });
    for (const [name, t] of Object.entries(res)) writeNpy(path.join(od, `${name}.npy`), t);
    console.log(`${od}: ${Object.keys(res).join(', ')}`);
  }
}
main().catch(e => { console.error(e); process.exit(1); });
