package ops

import (
	"fmt"
	"math"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// ATen ops are defined by lowering: each aten key turns its node (and its
// inputs' dtypes and shapes) into a short chain of ops already in this table
// (ONNX semantics, or special aten steps), and both Infer and Run walk that
// chain. The converters in converters/aten are written independently from
// converters/impl, so converter tests compare two separate derivations.

// ref names a value inside a lowering: a node input, a constant of the plan,
// or output j of an earlier step.
type ref struct {
	kind byte // 'i' node input, 'c' constant, 's' step output
	i, j int
}

func inRef(i int) ref { return ref{kind: 'i', i: i} }

// step is one op of a lowering.
type step struct {
	op    string
	attrs map[string]ir.Attr
	in    []ref // ref{kind: 0} is an absent input
	nout  int
}

// plan is a lowering: constants, steps, and which refs are the node's
// outputs.
type plan struct {
	consts []*ir.Tensor
	steps  []step
	out    []ref
}

func (p *plan) konst(t *ir.Tensor) ref {
	p.consts = append(p.consts, t)
	return ref{kind: 'c', i: len(p.consts) - 1}
}

func (p *plan) ints(v ...int64) ref {
	return p.konst(ir.FromSlice(ir.Int64, []int64{int64(len(v))}, v))
}

func (p *plan) scalar(dt ir.DType, v float64) ref { return p.konst(ir.Scalar(dt, v)) }

// add appends a step with one output and returns it.
func (p *plan) add(op string, attrs map[string]ir.Attr, in ...ref) ref {
	p.steps = append(p.steps, step{op: op, attrs: attrs, in: in, nout: 1})
	return ref{kind: 's', i: len(p.steps) - 1}
}

// addN appends a step with n outputs.
func (p *plan) addN(op string, attrs map[string]ir.Attr, n int, in ...ref) []ref {
	p.steps = append(p.steps, step{op: op, attrs: attrs, in: in, nout: n})
	out := make([]ref, n)
	for j := range out {
		out[j] = ref{kind: 's', i: len(p.steps) - 1, j: j}
	}
	return out
}

// cast returns r cast to dt, or r when from is already dt.
func (p *plan) cast(r ref, from, dt ir.DType) ref {
	if from == dt {
		return r
	}
	return p.add("onnx.Cast", attrs("to", int64(dt)), r)
}

// attrs builds an attribute map from name, value pairs (int64, int,
// float32, float64, string, []int64).
func attrs(kv ...any) map[string]ir.Attr {
	m := map[string]ir.Attr{}
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		switch v := kv[i+1].(type) {
		case int64:
			m[name] = ir.Attr{Kind: ir.AttrInt, I: v}
		case int:
			m[name] = ir.Attr{Kind: ir.AttrInt, I: int64(v)}
		case float32:
			m[name] = ir.Attr{Kind: ir.AttrFloat, F: v}
		case float64:
			m[name] = ir.Attr{Kind: ir.AttrFloat, F: float32(v)}
		case string:
			m[name] = ir.Attr{Kind: ir.AttrString, S: v}
		case []int64:
			m[name] = ir.Attr{Kind: ir.AttrInts, Ints: v}
		case *ir.Tensor:
			m[name] = ir.Attr{Kind: ir.AttrTensor, T: v}
		default:
			panic(fmt.Sprintf("attrs: %T", v))
		}
	}
	return m
}

// lowerFunc builds a node's plan from its inputs' values (dtype, shape;
// static at run time).
type lowerFunc func(n *ir.Node, in []*ir.Value) (*plan, error)

// registerATen registers an aten key defined by lowering.
func registerATen(key string, nonCompute bool, lower lowerFunc) {
	Register(Op{
		Key:        key,
		NonCompute: nonCompute,
		Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) {
			p, err := lower(n, in)
			if err != nil {
				return nil, err
			}
			return inferPlan(n, p, in)
		},
		Run: func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) {
			vals := make([]*ir.Value, len(in))
			for i, t := range in {
				if t != nil {
					vals[i] = &ir.Value{DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
				}
			}
			p, err := lower(n, vals)
			if err != nil {
				return nil, err
			}
			return runPlan(n, p, in)
		},
	})
}

func inferPlan(n *ir.Node, p *plan, in []*ir.Value) ([]*ir.Value, error) {
	outs := make([][]*ir.Value, len(p.steps))
	get := func(r ref) (*ir.Value, error) {
		switch r.kind {
		case 0:
			return nil, nil
		case 'i':
			if r.i >= len(in) || in[r.i] == nil {
				return nil, fmt.Errorf("input %d is missing", r.i)
			}
			return in[r.i], nil
		case 'c':
			t := p.consts[r.i]
			return &ir.Value{DType: t.DType, Shape: ir.S(t.Shape...), Const: t}, nil
		}
		return outs[r.i][r.j], nil
	}
	for si, s := range p.steps {
		op, ok := Lookup(s.op)
		if !ok {
			return nil, fmt.Errorf("lowering uses unknown op %s", s.op)
		}
		args := make([]*ir.Value, len(s.in))
		for i, r := range s.in {
			v, err := get(r)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		sn := &ir.Node{Name: n.Name, Op: s.op, Attrs: s.attrs, Inputs: make([]string, len(s.in)), Outputs: make([]string, s.nout)}
		for i := range sn.Inputs {
			if s.in[i].kind != 0 {
				sn.Inputs[i] = "x"
			}
		}
		for i := range sn.Outputs {
			sn.Outputs[i] = "y"
		}
		res, err := op.Infer(sn, args)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.op, err)
		}
		if len(res) < s.nout {
			return nil, fmt.Errorf("%s: inferred %d outputs, want %d", s.op, len(res), s.nout)
		}
		outs[si] = res
	}
	result := make([]*ir.Value, len(p.out))
	for i, r := range p.out {
		v, err := get(r)
		if err != nil {
			return nil, err
		}
		if r.kind == 's' {
			// Step outputs keep shape data and folded constants.
			c := *v
			v = &c
		} else {
			v = &ir.Value{DType: v.DType, Shape: v.Shape.Clone(), Const: v.Const, ShapeData: v.ShapeData}
		}
		result[i] = v
	}
	return result, nil
}

func runPlan(n *ir.Node, p *plan, in []*ir.Tensor) ([]*ir.Tensor, error) {
	outs := make([][]*ir.Tensor, len(p.steps))
	get := func(r ref) *ir.Tensor {
		switch r.kind {
		case 'i':
			if r.i < len(in) {
				return in[r.i]
			}
			return nil
		case 'c':
			return p.consts[r.i]
		case 's':
			return outs[r.i][r.j]
		}
		return nil
	}
	for si, s := range p.steps {
		args := make([]*ir.Tensor, len(s.in))
		for i, r := range s.in {
			args[i] = get(r)
		}
		sn := &ir.Node{Name: n.Name, Op: s.op, Attrs: s.attrs, Outputs: make([]string, s.nout)}
		for i := range sn.Outputs {
			sn.Outputs[i] = "y"
		}
		res, err := Execute(sn, args)
		if err != nil {
			return nil, err
		}
		outs[si] = res
	}
	result := make([]*ir.Tensor, len(p.out))
	for i, r := range p.out {
		result[i] = get(r)
	}
	return result, nil
}

// ScalarAttr reads a Scalar argument (AttrFloat, or AttrInt from other
// writers); isInt says it was an int. ok is false when it is absent.
func ScalarAttr(n *ir.Node, name string) (v float64, isInt, ok bool) {
	a, ok := n.Attrs[name]
	if !ok {
		return 0, false, false
	}
	if a.Kind == ir.AttrInt {
		return float64(a.I), true, true
	}
	return float64(a.F), n.AttrInt("_int_"+name, 0) == 1, true
}

// normDim maps a possibly negative dim into [0, rank).
func normDim(d int64, rank int) (int, error) { return ir.NormAxis(d, rank) }

func need(in []*ir.Value, idx ...int) error {
	for _, i := range idx {
		if i >= len(in) || in[i] == nil {
			return fmt.Errorf("input %d is missing", i)
		}
	}
	return nil
}

// intMax is the "to the end" sentinel of slice bounds.
const intMax = math.MaxInt64
