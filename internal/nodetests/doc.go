// Package nodetests runs the ONNX backend node test suite
// (../shared/onnx-node-tests, 1,802 single-op cases) through trtc twice:
// with every node converted where a converter accepts it (min block size 0:
// no minimum, so a case of one Reshape or Shape node, which min block size 1
// demotes because shape ops are not compute ops, is in an engine when its
// converter accepts it; the count measures what TensorRT can take),
// and with every node forced to fallback. Each case is compiled, written as
// a bundle, opened and run by the runtime, exactly as `trtc compile` and
// `trtc run` do, and its outputs are compared with the suite's as the
// suite's own runner compares them (rtol 1e-3, atol 1e-7).
//
// Every case that does not pass in a mode, skipped (an op, dtype or value
// kind trtc lacks) or failing, is listed in known_failures.txt with the
// reason, beside the recorded pass counts of both modes and the count of
// converted-mode passes with every node in engines. The test fails when a
// case outside the list does not pass (a regression, or a skip that was a
// pass) or a count drops below its record, and names listed cases that now
// pass. TRTC_NODE_UPDATE=1 rewrites the list and the counts from a run,
// keeping the reasons already written.
package nodetests
