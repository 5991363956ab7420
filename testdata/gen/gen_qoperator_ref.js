// ONNX Runtime (CPU) output of testdata/models/qlinear_conv, as raw
// float32 (gen_qoperator.py --npy turns it into expected/y.npy). Run from
// a folder where onnxruntime-node is installed: node gen_qoperator_ref.js DIR
const ort = require('onnxruntime-node');
const fs = require('fs');
const path = require('path');
(async () => {
  const dir = process.argv[2];
  const s = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), { executionProviders: ['cpu'] });
  const buf = fs.readFileSync(path.join(dir, 'x.f32'));
  const x = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const out = await s.run({ x: new ort.Tensor('float32', x, [1, 3, 8, 8]) });
  fs.writeFileSync(path.join(dir, 'y.f32'), Buffer.from(out.y.data.buffer));
  fs.unlinkSync(path.join(dir, 'x.f32'));
  console.log('onnxruntime-node', require('onnxruntime-node/package.json').version, 'y', out.y.dims);
})();
