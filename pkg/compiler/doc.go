// Package compiler runs trtc's pipeline on one model: load (frontend),
// shape overrides, inference with constant folding, capability and
// partitioning, conversion and engine builds, and the report. Writing the
// bundle is the last step (bundle.go); a dry run stops before it.
//
// A converter that fails while its segment is built does not fail the
// compile: its node is moved to fallback with the error as the reason and
// the graph is partitioned again, so one broken converter costs one node,
// not the model. (With RequireFullCompilation it is an error.)
package compiler
