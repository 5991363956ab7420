package aten_test

import (
	"testing"

	"github.com/trtc-dev/trtc/converters/aten"
	"github.com/trtc-dev/trtc/converters/convtest"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// Converter tests: each case builds one ATen node, converts it with the
// registry, runs it on the reference backend and compares it with the op's
// CPU kernel (pkg/ops, defined by lowering to ONNX semantics, a separate
// derivation from the converters' impl layers).

func f32(dims ...int64) convtest.Input {
	return convtest.Input{DType: ir.Float32, Shape: ir.S(dims...)}
}
func typed(dt ir.DType, dims ...int64) convtest.Input {
	return convtest.Input{DType: dt, Shape: ir.S(dims...)}
}
func cf32(dims ...int64) convtest.Input {
	return convtest.Input{DType: ir.Float32, Shape: ir.S(dims...), Const: true}
}

var absent = convtest.Input{Absent: true}

type A = map[string]ir.Attr

func ai(v int64) ir.Attr       { return ir.Attr{Kind: ir.AttrInt, I: v} }
func af(v float32) ir.Attr     { return ir.Attr{Kind: ir.AttrFloat, F: v} }
func as(v string) ir.Attr      { return ir.Attr{Kind: ir.AttrString, S: v} }
func aints(v ...int64) ir.Attr { return ir.Attr{Kind: ir.AttrInts, Ints: v} }

// runCases runs each case as a subtest named after its op.
func runCases(t *testing.T, cases []convtest.Case) {
	for _, c := range cases {
		c := c
		t.Run(c.Op, func(t *testing.T) { convtest.Run(t, c) })
	}
}

// allCases lists every family's table, for the completeness check.
var allCases = [][]convtest.Case{}

// Every ATen converter has a kernel (pkg/ops) and at least one numerical
// case in this package's tables.
func TestEveryConverterHasKernelAndCase(t *testing.T) {
	covered := map[string]bool{}
	for _, cs := range allCases {
		for _, c := range cs {
			covered[c.Op] = true
		}
	}
	r := conversion.NewRegistry()
	aten.Register(r)
	if len(r.Targets()) < 90 {
		t.Fatalf("only %d ATen converter targets registered", len(r.Targets()))
	}
	for _, c := range r.All() {
		if _, ok := ops.Lookup(c.Target); !ok {
			t.Errorf("%s has a converter but no kernel in pkg/ops", c.Target)
		}
		if !covered[c.Target] {
			t.Errorf("%s has no convtest case", c.Target)
		}
	}
}
