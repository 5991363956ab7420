package reference

import (
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// PluginV3 is IPluginV3Layer (NvInfer.h): a layer TensorRT's plugin
// registry makes from a creator name, version, namespace and fields. This
// backend has no TensorRT plugins; it runs the layer through the trtc op
// the converter named as its CPU equivalent (network.PluginV3.CPUOp), with
// the fields as the node's attributes, and refuses a plugin layer without
// one. The op's own checks apply (for a Go plugin's op: its schema, and
// its kernel's outputs checked against its inference).

type pluginV3Params struct{ Spec network.PluginV3 }

func init() {
	registerKind(network.KindPluginV3, kindImpl{infer: inferPluginV3, run: runPluginV3})
}

// pluginNode is the node the CPU op sees for the layer.
func pluginNode(l *layer, nIn int) (*ops.Op, *ir.Node, error) {
	p := l.Params.(pluginV3Params).Spec
	if err := p.Check(); err != nil {
		return nil, nil, err
	}
	what := fmt.Sprintf("TensorRT plugin %s version %s (namespace %q)", p.Creator, p.Version, p.Namespace)
	if p.CPUOp == "" {
		return nil, nil, fmt.Errorf("%s: the reference backend cannot run TensorRT plugins and the converter named no trtc op that computes the same (PluginV3.CPUOp)", what)
	}
	op, ok := ops.Lookup(p.CPUOp)
	if !ok {
		return nil, nil, fmt.Errorf("%s: its CPU equivalent, op %s, is not defined here (is the Go plugin that defines it loaded?)", what, p.CPUOp)
	}
	n := &ir.Node{Name: l.Name, Op: p.CPUOp, Outputs: []string{l.Name + "_out0"}, Attrs: map[string]ir.Attr{}}
	for i := range nIn {
		n.Inputs = append(n.Inputs, fmt.Sprintf("%s_in%d", l.Name, i))
	}
	for _, f := range p.Fields {
		var a ir.Attr
		switch f.Type {
		case network.PluginFieldFloat32:
			a = ir.Attr{Kind: ir.AttrFloats, Floats: f.Float32s}
			if len(f.Float32s) == 1 {
				a = ir.Attr{Kind: ir.AttrFloat, F: f.Float32s[0]}
			}
		case network.PluginFieldInt32, network.PluginFieldInt64:
			ints := f.Int64s
			if f.Type == network.PluginFieldInt32 {
				ints = make([]int64, len(f.Int32s))
				for i, v := range f.Int32s {
					ints[i] = int64(v)
				}
			}
			a = ir.Attr{Kind: ir.AttrInts, Ints: ints}
			if len(ints) == 1 {
				a = ir.Attr{Kind: ir.AttrInt, I: ints[0]}
			}
		case network.PluginFieldChar:
			a = ir.Attr{Kind: ir.AttrString, S: f.Chars}
		}
		n.Attrs[f.Name] = a
	}
	return op, n, nil
}

func inferPluginV3(l *layer, in []*ir.Value) ([]*ir.Value, error) {
	op, n, err := pluginNode(l, len(in))
	if err != nil {
		return nil, err
	}
	outs, err := op.Infer(n, in)
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 || outs[0] == nil {
		return nil, fmt.Errorf("op %s gives %d outputs; trtc supports plugin layers with one", n.Op, len(outs))
	}
	return []*ir.Value{{DType: outs[0].DType, Shape: outs[0].Shape}}, nil
}

func runPluginV3(l *layer, in []*ir.Tensor) ([]*ir.Tensor, error) {
	_, n, err := pluginNode(l, len(in))
	if err != nil {
		return nil, err
	}
	out, err := ops.Execute(n, in)
	if err != nil {
		return nil, err
	}
	return out[:1], nil
}
