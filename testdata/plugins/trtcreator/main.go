// Command trtcreator declares a TensorRT plugin creator, so that a
// custom-domain ONNX node of its name converts to its plugin layer the way
// onnx-tensorrt's fallback plugin importer does, with no converter and no
// op definition for the node's own key: creator "ScaledSwishPlugin"
// version "1" namespace "acme" with a kFLOAT32 field alpha, computed on the
// CPU by the op acme_cpu.ScaledSwishPlugin it defines (y = x·sigmoid(alpha·x)),
// which trtc infers shapes with, the reference backend runs the plugin layer
// through, and fallback segments run.
package main

import (
	"math"

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

const cpuOp = "acme_cpu.ScaledSwishPlugin"

func RegisterConverters(r conversion.Registrar) error {
	floats := []ir.DType{ir.Float32, ir.Float16}
	if err := r.DefineOp(ops.Def{
		Key:     cpuOp,
		Inputs:  []ops.Port{{Name: "x", DTypes: floats}},
		Outputs: []ops.Port{{Name: "y", DTypes: floats, Rank: ops.RankOfInput(0)}},
		Attrs:   []ops.AttrSpec{{Name: "alpha", Kind: ir.AttrFloat}},
		Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			return []*ir.Value{{DType: in[0].DType, Shape: in[0].Shape.Clone()}}, nil
		},
		Kernel: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			alpha := float64(n.AttrFloat("alpha", 1))
			y := ir.NewTensor(in[0].DType, in[0].Shape)
			for i := range int(in[0].Numel()) {
				v := in[0].Float(i)
				y.SetFloat(i, v/(1+math.Exp(-alpha*v)))
			}
			return []*ir.Tensor{y}, nil
		},
		Description: "the CPU equivalent of the TensorRT plugin acme::ScaledSwishPlugin v1",
	}); err != nil {
		return err
	}
	return r.DeclareTRTPlugin(conversion.TRTPluginCreator{
		Name: "ScaledSwishPlugin", Version: "1", Namespace: "acme",
		Fields: []conversion.TRTPluginField{{Name: "alpha", Type: network.PluginFieldFloat32}},
		CPUOp:  cpuOp,
	})
}

func main() {}
