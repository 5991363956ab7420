package onnx

import (
	"fmt"

	"github.com/trtc-dev/trtc/converters/impl"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// If, Loop and Scan as TensorRT conditionals and loops, their subgraphs
// converted into them node by node (conversion.ConvertSubgraph) with the
// registry that decided the node. What TensorRT's loops cannot express
// falls back to the kernels that run the subgraph (pkg/ops), with the
// reason: a Loop whose condition can end it early and that has scan
// outputs (their length is data-dependent; a loop output's length is fixed
// before the loop), a Loop without a trip count or condition (unbounded),
// loop-carried values whose shape changes between iterations (a
// recurrence keeps its dims), If branches whose outputs differ in dtype,
// rank or static dims, Scan-8 (a batch dim and sequence_lens), and
// subgraph nodes without a converter. An If whose condition folds to a
// constant is inlined before conversion (ops.InlineConstantIfs).

func init() {
	for _, c := range []struct {
		op, desc string
		v        conversion.Validator
		f        conversion.ConvertFunc
	}{
		{"If", "IIfConditional: condition, one conditional input per value the branches read from outside, the branches' nodes converted inside, conditional outputs", validateIf, convIf},
		{"Loop", "ILoop: kCOUNT limit M, kWHILE limit on a condition recurrence, recurrences for the iteration number and loop-carried values, the body converted inside, kLAST_VALUE and kCONCATENATE outputs", validateLoop, convLoop},
		{"Scan", "ILoop: kCOUNT limit of the scan length, IIteratorLayers (axis, reverse) for scan inputs, recurrences for states, the body converted inside, kCONCATENATE/kREVERSE outputs on scan_output_axes", validateScan, convScan},
	} {
		builtins = append(builtins, conversion.Converter{Target: "onnx." + c.op, Priority: conversion.Standard, DynamicShapes: true,
			Validator: c.v, Description: c.desc, Convert: c.f, Region: true})
	}
}

// outerValues are the values n's subgraphs read from outside (its trailing
// inputs), by name.
func outerValues(n *conversion.Node) map[string]*ir.Value {
	m := map[string]*ir.Value{}
	a, ok := n.Attrs[ir.OuterInputsAttr]
	if !ok {
		return m
	}
	k := n.DeclaredInputs()
	for i, name := range a.Strings {
		if k+i < len(n.In) {
			m[name] = n.In[k+i]
		}
	}
	return m
}

func subgraph(n *conversion.Node, attr string) (*ir.Graph, error) {
	a, ok := n.Attrs[attr]
	if !ok || a.G == nil {
		return nil, fmt.Errorf("attribute %s (a graph) is missing", attr)
	}
	return a.G, nil
}

// stateValue is a loop-carried value's per-iteration value: its dtype and
// shape, no constant.
func stateValue(v *ir.Value) *ir.Value {
	c := *v
	c.Const, c.ShapeData = nil, nil
	return &c
}

// sameStaticDims reports whether two shapes have one rank and agree on
// every dim both know.
func sameStaticDims(a, b ir.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Static() && b[i].Static() && a[i].Size != b[i].Size {
			return false
		}
	}
	return true
}

// ---- If ----

type ifPlan struct{ then, els *ir.Graph }

func planIf(n *conversion.Node) (*ifPlan, error) {
	if len(n.In) < 1 || n.In[0] == nil || n.In[0].DType != ir.Bool {
		return nil, fmt.Errorf("cond must be a bool tensor")
	}
	if s, ok := n.In[0].Shape.Ints(); !ok || ir.Numel(s) != 1 {
		return nil, fmt.Errorf("cond has shape %v; TensorRT's condition is a 0-D bool (one element)", n.In[0].Shape)
	}
	p := &ifPlan{}
	outer := outerValues(n)
	for i, attr := range []string{"then_branch", "else_branch"} {
		g, err := subgraph(n, attr)
		if err != nil {
			return nil, err
		}
		tg, err := ops.InferSubgraph(g, nil, outer)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", attr, err)
		}
		if err := conversion.CheckSubgraph(n, tg); err != nil {
			return nil, err
		}
		if i == 0 {
			p.then = tg
		} else {
			p.els = tg
		}
	}
	if len(p.then.Outputs) != len(p.els.Outputs) {
		return nil, fmt.Errorf("the branches have %d and %d outputs", len(p.then.Outputs), len(p.els.Outputs))
	}
	for i := range p.then.Outputs {
		a, b := p.then.Value(p.then.Outputs[i]), p.els.Value(p.els.Outputs[i])
		if a == nil || b == nil {
			return nil, fmt.Errorf("output %d of a branch has no known type", i)
		}
		if a.DType != b.DType || !sameStaticDims(a.Shape, b.Shape) {
			return nil, fmt.Errorf("output %d is %v %v in then_branch and %v %v in else_branch; TensorRT needs one dtype and shape (10.x: \"the same type and shape\")",
				i, a.DType, a.Shape, b.DType, b.Shape)
		}
	}
	return p, nil
}

func validateIf(n *conversion.Node) error { _, err := planIf(n); return err }

func convIf(ctx *conversion.Context, n *conversion.Node) error {
	p, err := planIf(n)
	if err != nil {
		return err
	}
	net := ctx.Net
	cond := ctx.Input(n, 0)
	if len(cond.Shape()) != 0 {
		cond = impl.ReshapeScalar(ctx, cond)
	}
	c := net.AddIfConditional()
	net.SetCondition(c, cond)
	inputs := map[network.Tensor]network.Tensor{}
	route := func(t network.Tensor) network.Tensor {
		if r, ok := inputs[t]; ok {
			return r
		}
		r := net.AddIfInput(c, t)
		inputs[t] = r
		return r
	}
	th, err := ctx.ConvertSubgraph(n, p.then, nil, route)
	if err != nil {
		return err
	}
	el, err := ctx.ConvertSubgraph(n, p.els, nil, route)
	if err != nil {
		return err
	}
	for i := range th {
		ctx.SetOutput(n, i, net.AddIfOutput(c, th[i], el[i]))
	}
	return nil
}

// ---- Loop ----

type loopPlan struct {
	body            *ir.Graph
	nCarried, nScan int
	hasM, hasCond   bool
	while           bool // the condition can end the loop: a kWHILE limit
	condIn, condOut string
}

func planLoop(n *conversion.Node) (*loopPlan, error) {
	body, err := subgraph(n, "body")
	if err != nil {
		return nil, err
	}
	k := n.DeclaredInputs()
	if k < 2 || len(body.Inputs) != k || len(body.Outputs) < k-1 {
		return nil, fmt.Errorf("Loop has %d inputs and a body of %d inputs and %d outputs", k, len(body.Inputs), len(body.Outputs))
	}
	p := &loopPlan{nCarried: k - 2, hasM: n.In[0] != nil, hasCond: n.In[1] != nil}
	p.nScan = len(body.Outputs) - 1 - p.nCarried
	if !p.hasM && !p.hasCond {
		return nil, fmt.Errorf("a Loop without M and cond runs until the body stops it, which a TensorRT loop cannot express")
	}
	if p.hasM {
		if s, ok := n.In[0].Shape.Ints(); !ok || ir.Numel(s) != 1 || n.In[0].DType != ir.Int64 {
			return nil, fmt.Errorf("M is %v %v; the trip limit is one int64", n.In[0].DType, n.In[0].Shape)
		}
	}
	if p.hasCond {
		if s, ok := n.In[1].Shape.Ints(); !ok || ir.Numel(s) != 1 {
			return nil, fmt.Errorf("cond has shape %v; want one element", n.In[1].Shape)
		}
	}
	ins := []*ir.Value{{DType: ir.Int64, Shape: ir.Shape{}}, {DType: ir.Bool, Shape: ir.Shape{}}}
	for i := 0; i < p.nCarried; i++ {
		if n.In[2+i] == nil {
			return nil, fmt.Errorf("loop-carried input %d is missing", i)
		}
		ins = append(ins, stateValue(n.In[2+i]))
	}
	if p.body, err = ops.InferSubgraph(body, ins, outerValues(n)); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	p.condIn, p.condOut = body.Inputs[1], body.Outputs[0]
	// The condition only ends the loop early if it starts false or the
	// body computes it from something other than its own input.
	startsTrue := !p.hasCond || (n.In[1].Const != nil && n.In[1].Const.Int(0) != 0)
	passesThrough := p.condOut == p.condIn
	for _, bn := range p.body.Nodes {
		if bn.Op == "onnx.Identity" && len(bn.Outputs) == 1 && bn.Outputs[0] == p.condOut && len(bn.Inputs) == 1 && bn.Inputs[0] == p.condIn {
			passesThrough = true
		}
	}
	p.while = !(startsTrue && passesThrough)
	if p.while && p.nScan > 0 {
		return nil, fmt.Errorf("the condition can end the loop early and it has %d scan output(s), whose length is then data-dependent; a TensorRT loop output's length is fixed before the loop", p.nScan)
	}
	if p.nScan > 0 && !p.hasM {
		return nil, fmt.Errorf("scan outputs need M, the length of a TensorRT kCONCATENATE loop output")
	}
	for i := 0; i < p.nCarried; i++ {
		in, out := n.In[2+i], p.body.Value(body.Outputs[1+i])
		if out == nil || out.DType != in.DType || !sameStaticDims(in.Shape, out.Shape) {
			return nil, fmt.Errorf("loop-carried value %d enters as %v %v and leaves the body as %v; a TensorRT recurrence keeps its dtype and dims", i, in.DType, in.Shape, out)
		}
	}
	if p.while {
		if v := p.body.Value(p.condOut); v == nil || v.DType != ir.Bool {
			return nil, fmt.Errorf("the body's condition output is not bool")
		}
	}
	if err := conversion.CheckSubgraph(n, p.body); err != nil {
		return nil, err
	}
	return p, nil
}

func validateLoop(n *conversion.Node) error { _, err := planLoop(n); return err }

func convLoop(ctx *conversion.Context, n *conversion.Node) error {
	p, err := planLoop(n)
	if err != nil {
		return err
	}
	net := ctx.Net
	scalar := func(t network.Tensor) network.Tensor {
		if len(t.Shape()) != 0 {
			return impl.ReshapeScalar(ctx, t)
		}
		return t
	}
	loop := net.AddLoop()
	var m network.Tensor
	if p.hasM {
		m = scalar(ctx.Input(n, 0))
		net.AddTripLimit(loop, m, network.TripLimitCOUNT)
	}
	iter := net.AddRecurrence(loop, net.AddConstant(ir.FromSlice(ir.Int64, []int64{}, []int64{0})))
	var cond, condRec network.Tensor
	if p.hasCond {
		cond = scalar(ctx.Input(n, 1))
	} else {
		cond = net.AddConstant(ir.FromSlice(ir.Bool, []int64{}, []uint8{1}))
	}
	if p.while {
		condRec = net.AddRecurrence(loop, cond)
		net.AddTripLimit(loop, condRec, network.TripLimitWHILE)
		cond = condRec
	}
	ins := []network.Tensor{iter, cond}
	var recs []network.Tensor
	for i := 0; i < p.nCarried; i++ {
		r := net.AddRecurrence(loop, ctx.Input(n, 2+i))
		recs = append(recs, r)
		ins = append(ins, r)
	}
	outs, err := ctx.ConvertSubgraph(n, p.body, ins, nil)
	if err != nil {
		return err
	}
	net.SetRecurrenceInput(iter, net.AddElementWise(iter, net.AddConstant(ir.FromSlice(ir.Int64, []int64{}, []int64{1})), network.ElementWiseSUM))
	if condRec != nil {
		net.SetRecurrenceInput(condRec, scalar(outs[0]))
	}
	for i, r := range recs {
		net.SetRecurrenceInput(r, outs[1+i])
		ctx.SetOutput(n, i, net.AddLoopOutput(loop, r, network.LoopOutputLAST_VALUE, 0, nil))
	}
	for j := 0; j < p.nScan; j++ {
		ctx.SetOutput(n, p.nCarried+j, net.AddLoopOutput(loop, outs[1+p.nCarried+j], network.LoopOutputCONCATENATE, 0, m))
	}
	return nil
}

// ---- Scan ----

type scanPlan struct {
	body              *ir.Graph
	nState, nIn, nOut int
	inAxes, inDirs    []int
	outAxes, outDirs  []int
}

func planScan(n *conversion.Node) (*scanPlan, error) {
	if n.Opset != 0 && n.Opset < 9 {
		return nil, fmt.Errorf("Scan-8 (a batch dim and sequence_lens) is not converted; opset 9's Scan is")
	}
	body, err := subgraph(n, "body")
	if err != nil {
		return nil, err
	}
	k := n.DeclaredInputs()
	p := &scanPlan{nIn: int(n.AttrInt("num_scan_inputs", 0))}
	p.nState = k - p.nIn
	if p.nIn < 1 || p.nState < 0 || len(body.Inputs) != k || len(body.Outputs) < p.nState {
		return nil, fmt.Errorf("Scan has %d inputs, %d scan inputs and a body of %d inputs and %d outputs", k, p.nIn, len(body.Inputs), len(body.Outputs))
	}
	p.nOut = len(body.Outputs) - p.nState
	ints := func(name string, count int) []int {
		v := n.AttrInts(name, nil)
		out := make([]int, count)
		for i := range out {
			if i < len(v) {
				out[i] = int(v[i])
			}
		}
		return out
	}
	p.inAxes, p.inDirs = ints("scan_input_axes", p.nIn), ints("scan_input_directions", p.nIn)
	p.outAxes, p.outDirs = ints("scan_output_axes", p.nOut), ints("scan_output_directions", p.nOut)
	var ins []*ir.Value
	length := ir.Sym("")
	for i := 0; i < k; i++ {
		if n.In[i] == nil {
			return nil, fmt.Errorf("input %d is missing", i)
		}
		v := stateValue(n.In[i])
		if i >= p.nState {
			j := i - p.nState
			r := len(v.Shape)
			if p.inAxes[j] < 0 {
				p.inAxes[j] += r
			}
			if p.inAxes[j] < 0 || p.inAxes[j] >= r {
				return nil, fmt.Errorf("scan input %d: axis %d is outside its rank %d", j, p.inAxes[j], r)
			}
			d := v.Shape[p.inAxes[j]]
			if d.Static() && length.Static() && d.Size != length.Size {
				return nil, fmt.Errorf("scan inputs have lengths %d and %d", length.Size, d.Size)
			}
			if j == 0 || d.Static() {
				length = d
			}
			v.Shape = append(v.Shape[:p.inAxes[j]:p.inAxes[j]].Clone(), v.Shape[p.inAxes[j]+1:]...)
		}
		ins = append(ins, v)
	}
	if p.body, err = ops.InferSubgraph(body, ins, outerValues(n)); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	for i := 0; i < p.nState; i++ {
		in, out := n.In[i], p.body.Value(body.Outputs[i])
		if out == nil || out.DType != in.DType || !sameStaticDims(in.Shape, out.Shape) {
			return nil, fmt.Errorf("state %d enters as %v %v and leaves the body as %v; a TensorRT recurrence keeps its dtype and dims", i, in.DType, in.Shape, out)
		}
	}
	for j := 0; j < p.nOut; j++ {
		v := p.body.Value(body.Outputs[p.nState+j])
		if v == nil {
			return nil, fmt.Errorf("scan output %d has no known type", j)
		}
		r := len(v.Shape) + 1
		if p.outAxes[j] < 0 {
			p.outAxes[j] += r
		}
		if p.outAxes[j] < 0 || p.outAxes[j] >= r {
			return nil, fmt.Errorf("scan output %d: axis %d is outside its rank %d", j, p.outAxes[j], r)
		}
	}
	if err := conversion.CheckSubgraph(n, p.body); err != nil {
		return nil, err
	}
	return p, nil
}

func validateScan(n *conversion.Node) error { _, err := planScan(n); return err }

func convScan(ctx *conversion.Context, n *conversion.Node) error {
	p, err := planScan(n)
	if err != nil {
		return err
	}
	net := ctx.Net
	first := ctx.Input(n, p.nState)
	length := impl.ReshapeScalar(ctx, impl.Dim(ctx, first, p.inAxes[0]))
	loop := net.AddLoop()
	net.AddTripLimit(loop, length, network.TripLimitCOUNT)
	var ins, recs []network.Tensor
	for i := 0; i < p.nState; i++ {
		r := net.AddRecurrence(loop, ctx.Input(n, i))
		recs = append(recs, r)
		ins = append(ins, r)
	}
	for j := 0; j < p.nIn; j++ {
		ins = append(ins, net.AddIterator(loop, ctx.Input(n, p.nState+j), p.inAxes[j], p.inDirs[j] == 1))
	}
	outs, err := ctx.ConvertSubgraph(n, p.body, ins, nil)
	if err != nil {
		return err
	}
	for i, r := range recs {
		net.SetRecurrenceInput(r, outs[i])
		ctx.SetOutput(n, i, net.AddLoopOutput(loop, r, network.LoopOutputLAST_VALUE, 0, nil))
	}
	for j := 0; j < p.nOut; j++ {
		kind := network.LoopOutputCONCATENATE
		if p.outDirs[j] == 1 {
			kind = network.LoopOutputREVERSE
		}
		ctx.SetOutput(n, p.nState+j, net.AddLoopOutput(loop, outs[p.nState+j], kind, p.outAxes[j], length))
	}
	return nil
}
