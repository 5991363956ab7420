// Package nodetests runs the ONNX backend node test suite
// (../shared/onnx-node-tests, 1,802 single-op cases) through trtc twice:
// with every node converted where a converter accepts it (min block size 1),
// and with every node forced to fallback. Each case is compiled, written as
// a bundle, opened and run by the runtime, exactly as `trtc compile` and
// `trtc run` do, and its outputs are compared with the suite's.
//
// Cases that cannot pass are listed in known_failures.txt with the reason;
// the test fails when a case outside that list fails (a regression) and
// reports listed cases that now pass, so the list only shrinks.
package nodetests
