// Command badswish defines com.acme.ScaledSwish (the op plugins/scaled_swish
// defines) and misbehaves as TRTC_TEST_BADSWISH says, for
// internal/plugintest:
//
//	""             behaves (y = x·sigmoid(alpha·x)); with plugins/scaled_swish it is a duplicate definition
//	infer-panic    shape inference panics
//	infer-rank     shape inference returns one dim too many
//	kernel-dtype   the kernel returns int32
//	kernel-shape   the kernel returns the output flattened
//	kernel-panic   the kernel panics
//
// Building it with -ldflags=-X=main.rebuilt=yes gives another build of the
// same plugin (another Go build ID).
package main

import (
	"math"
	"os"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
)

var rebuilt string

func RegisterConverters(r conversion.Registrar) error {
	return r.DefineOp(ops.Def{
		Key:     "com.acme.ScaledSwish",
		Inputs:  []ops.Port{{Name: "x", DTypes: []ir.DType{ir.Float32}}},
		Outputs: []ops.Port{{Name: "y", Rank: ops.RankOfInput(0)}},
		Attrs:   []ops.AttrSpec{{Name: "alpha", Kind: ir.AttrFloat}},
		Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			shape := in[0].Shape.Clone()
			switch os.Getenv("TRTC_TEST_BADSWISH") {
			case "infer-panic":
				var dims []ir.Dim
				_ = dims[len(shape)+3] // index out of range
			case "infer-rank":
				shape = append(shape, ir.D(1))
			}
			return []*ir.Value{{DType: in[0].DType, Shape: shape}}, nil
		},
		Kernel: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			x := in[0]
			alpha := float64(n.AttrFloat("alpha", 1))
			dt, shape := x.DType, x.Shape
			switch os.Getenv("TRTC_TEST_BADSWISH") {
			case "kernel-dtype":
				dt = ir.Int32
			case "kernel-shape":
				shape = []int64{x.Numel()}
			case "kernel-panic":
				panic("badswish: kernel-panic" + rebuilt)
			}
			y := ir.NewTensor(dt, shape)
			for i := range int(x.Numel()) {
				v := x.Float(i)
				y.SetFloat(i, v/(1+math.Exp(-alpha*v)))
			}
			return []*ir.Tensor{y}, nil
		},
	})
}

func main() {}
