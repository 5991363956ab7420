// Package e2e tests trtc end to end through its command line (cli.Main,
// in-process): the bundled test models against ONNX Runtime's outputs,
// forced fallback, and every kind of bad input, each of which must give a
// clear message, the documented exit code, and no output file.
package e2e
