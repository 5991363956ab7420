// Package compiler runs trtc's pipeline on one model: load (frontend),
// shape overrides, inference with constant folding, capability and
// partitioning, conversion and engine builds, and the report. Writing the
// bundle is the last step (bundle.go); a dry run stops before it.
//
// A converter that fails while its segment is built does not fail the
// compile: its node is moved to fallback with the error as the reason and
// the graph is partitioned again, so one broken converter costs one node,
// not the model. (With RequireFullCompilation it is an error.)
//
// Compile first makes each graph input whose value every optimization
// profile pins a constant (pinned.go): the compile specializes on that
// value, the bundle records it and run refuses any other.
//
// Options.Log gets one info line per stage and a debug line per node
// decision (observe.go); Options.Progress drives the CLI's terminal
// display. With Options.Cache, each engine segment's EngineKey is looked up
// first and a cached engine is used instead of converting and building the
// segment. A failed compile still returns what it knew (the graph, the
// partition) so that FailureReport can describe it.
package compiler
