package ops

import (
	"errors"
	"fmt"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// FoldLimit bounds the size in bytes of a tensor that shape inference and
// constant folding may create, so that a ConstantOfShape of a huge shape
// does not bloat bundles or exhaust memory at compile time: a node whose
// output would exceed it (or whose size is not known before running it) is
// left to run time, where the memory budget applies.
const FoldLimit = 64 << 20

// fits reports whether dims of dt stay within FoldLimit (checked arithmetic:
// an overflowing shape does not fit).
func fits(dt ir.DType, dims []int64) bool {
	n, err := ir.ByteSize("", dt, dims)
	return err == nil && n <= FoldLimit
}

// Propagate walks g in topological order, infers every node output's dtype
// and shape, and, when fold is set, evaluates nodes whose inputs are all
// constants with their CPU kernels and removes them: their outputs become
// constants. It returns the number of nodes folded. g must be topologically
// sorted. Shapes the model declares for outputs are kept when inference can
// only say less (a dynamic dim).
func Propagate(g *ir.Graph, fold bool) (int, error) {
	kept := g.Nodes[:0:0]
	folded := 0
	// Nodes producing graph outputs are never folded: a graph output must
	// stay the output of a node that some segment runs.
	isOutput := make(map[string]bool, len(g.Outputs))
	for _, o := range g.Outputs {
		isOutput[o] = true
	}
	// readers: the ops that read each value (for Op.KeepIf).
	readers := map[string][]string{}
	for _, n := range g.Nodes {
		for _, name := range n.Inputs {
			if name != "" {
				readers[name] = append(readers[name], n.Op)
			}
		}
	}
	for _, n := range g.Nodes {
		op, ok := Lookup(n.Op)
		if !ok {
			return folded, &NodeError{n, fmt.Errorf("op %s is not supported: trtc has no shape inference or CPU kernel for it", n.Op)}
		}
		in := make([]*ir.Value, len(n.Inputs))
		allConst := true
		for i, name := range n.Inputs {
			if name == "" {
				continue
			}
			v := g.Values[name]
			if v == nil {
				return folded, &NodeError{n, fmt.Errorf("input %d %q is undefined", i, name)}
			}
			in[i] = v
			if v.Const == nil {
				allConst = false
			}
		}
		if err := checkLowBit(n, in, nil); err != nil {
			return folded, &NodeError{n, err}
		}
		outs, err := op.Infer(n, in)
		if err != nil {
			return folded, &NodeError{n, err}
		}
		if err := checkLowBit(n, nil, outs); err != nil {
			return folded, &NodeError{n, err}
		}
		if len(outs) < countOutputs(n) {
			return folded, &NodeError{n, fmt.Errorf("inference gave %d outputs, node has %d", len(outs), countOutputs(n))}
		}
		producesOutput := false
		for _, o := range n.Outputs {
			producesOutput = producesOutput || isOutput[o]
		}
		fold := fold && !producesOutput
		keep := false
		if op.KeepIf != nil {
			var consumers []string
			for _, o := range n.Outputs {
				consumers = append(consumers, readers[o]...)
			}
			keep = op.KeepIf(n, in, consumers)
		}
		if fold && allConst && !op.NoFold && !keep && len(n.Outputs) > 0 {
			tensors, ok, err := tryFold(n, in, outs)
			if err != nil {
				return folded, err
			}
			if ok {
				for i, name := range n.Outputs {
					if name == "" {
						continue
					}
					t := tensors[i]
					g.Values[name] = &ir.Value{Name: name, DType: t.DType, Shape: ir.S(t.Shape...), Const: t, ShapeData: outs[i].ShapeData}
				}
				folded++
				continue
			}
		}
		allFoldedByInfer := len(n.Outputs) > 0
		for i, name := range n.Outputs {
			if name == "" {
				continue
			}
			o := outs[i]
			o.Name = name
			if prev := g.Values[name]; prev != nil && o.Const == nil {
				o.Shape = refineShape(o.Shape, prev.Shape)
			}
			g.Values[name] = o
			if o.Const == nil {
				allFoldedByInfer = false
			}
		}
		if fold && allFoldedByInfer {
			folded++
			continue
		}
		kept = append(kept, n)
	}
	g.Nodes = kept
	return folded, nil
}

// tryFold runs a node whose inputs are constants. It gives up (false) on
// any kernel error, which run time reports again naming the node, except a
// plugin op's misbehaviour, which is returned.
func tryFold(n *ir.Node, in []*ir.Value, outs []*ir.Value) ([]*ir.Tensor, bool, error) {
	for _, o := range outs {
		if o == nil {
			return nil, false, nil
		}
		dims, ok := o.Shape.Ints()
		if !ok || !fits(o.DType, dims) {
			return nil, false, nil
		}
	}
	args := make([]*ir.Tensor, len(in))
	for i, v := range in {
		if v != nil {
			args[i] = v.Const
		}
	}
	res, err := Execute(n, args)
	if err != nil {
		var pe *PluginOpError
		if errors.As(err, &pe) {
			return nil, false, err
		}
		return nil, false, nil // leave it to run time, where the error names the node
	}
	for i, name := range n.Outputs {
		if name != "" && (i >= len(res) || res[i] == nil || !fits(res[i].DType, res[i].Shape)) {
			return nil, false, nil
		}
	}
	return res, true, nil
}

// refineShape keeps static dims that a model declared where inference left a
// dim dynamic.
func refineShape(inferred, declared ir.Shape) ir.Shape {
	if len(inferred) != len(declared) {
		return inferred
	}
	out := inferred.Clone()
	for i := range out {
		if !out[i].Static() && (declared[i].Static() || declared[i].Sym != "") {
			out[i] = declared[i]
		}
	}
	return out
}
