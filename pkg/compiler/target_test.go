package compiler

import (
	"errors"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/partition"
)

// cumsumGraph is y = CumSum(x, 1) + CumSum(x, 1) over an x of dtype dt.
func cumsumGraph(dt ir.DType) *ir.Graph {
	g := ir.NewGraph("cumsum", "onnx")
	g.Opsets[""] = 17
	g.Inputs, g.Outputs = []string{"x"}, []string{"y"}
	g.Values["x"] = &ir.Value{Name: "x", DType: dt, Shape: ir.S(3, 4)}
	g.Values["axis"] = constant("axis", ir.Scalar(ir.Int64, 1))
	g.Nodes = []*ir.Node{
		{Name: "cumsum", Op: "onnx.CumSum", Inputs: []string{"x", "axis"}, Outputs: []string{"c"}, Attrs: map[string]ir.Attr{}},
		{Name: "add", Op: "onnx.Add", Inputs: []string{"c", "c"}, Outputs: []string{"y"}, Attrs: map[string]ir.Attr{}},
	}
	return g
}

func compileTarget(t *testing.T, g *ir.Graph, v network.Version, reg *conversion.Registry) *Result {
	t.Helper()
	s := &conversion.Settings{MinBlockSize: 1, Backend: "reference", TargetVersion: v}
	folded, err := Prepare(g, "cumsum", s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compile(g, "cumsum", folded, Options{Settings: s, Registry: reg})
	if err != nil {
		t.Fatalf("target %v: %v", v, err)
	}
	return res
}

func engineNodes(res *Result) map[string]bool {
	in := map[string]bool{}
	for _, seg := range res.Partition.Segments {
		if seg.Kind == partition.Engine {
			for _, n := range seg.Nodes {
				in[n.Name] = true
			}
		}
	}
	return in
}

// The target release (--trt-version) reaches the converters and the
// reference network: Int32 CumSum converts for 10.8 and later (and by
// default, the newest release), and for 10.0, which has no Cumulative
// layer and whose decomposition takes floats only, its node falls back
// with that reason while its neighbour stays in an engine; a Float32 CumSum
// converts for 10.0 through the decomposition. The bundle and the report
// record the target.
func TestTargetVersionChoosesLayers(t *testing.T) {
	for _, c := range []struct {
		v       network.Version
		dt      ir.DType
		convert bool
	}{
		{network.Version{}, ir.Int32, true},
		{network.Version{Major: 11, Minor: 1}, ir.Int32, true},
		{network.Version{Major: 10, Minor: 8}, ir.Int32, true},
		{network.Version{Major: 10, Minor: 7}, ir.Int32, false},
		{network.Version{Major: 10, Minor: 0}, ir.Int32, false},
		{network.Version{Major: 10, Minor: 0}, ir.Float32, true},
	} {
		res := compileTarget(t, cumsumGraph(c.dt), c.v, converters.Builtin())
		want := c.v
		if want == (network.Version{}) {
			want = network.NewestVersion
		}
		if res.Settings.TargetVersion != want {
			t.Errorf("target %v: settings say %v", c.v, res.Settings.TargetVersion)
		}
		if got := settingsProto(res.Settings).TensorrtVersion; got != want.String() {
			t.Errorf("target %v: bundle records %q", c.v, got)
		}
		if got := BuildReport(res).TensorRTVersion; got != want.String() {
			t.Errorf("target %v: report says %q", c.v, got)
		}
		eng := engineNodes(res)
		if !eng["add"] {
			t.Errorf("target %v %v: add is not in an engine", c.v, c.dt)
		}
		if eng["cumsum"] != c.convert {
			t.Errorf("target %v %v: cumsum in an engine = %v, want %v (failures %v)", c.v, c.dt, eng["cumsum"], c.convert, res.ConvertFailures)
		}
		if !c.convert {
			var reason string
			for n, err := range res.ConvertFailures {
				if n.Name == "cumsum" {
					reason = err.Error()
				}
			}
			if wantR := "TensorRT " + c.v.String() + " has no Cumulative layer (added in 10.8)"; !strings.Contains(reason, wantR) {
				t.Errorf("target %v: cumsum's failure %q, want it to say %q", c.v, reason, wantR)
			}
		}
	}
}

// The reference network of a compile applies the target's rule table: a
// converter that adds a Cumulative layer regardless of the target is
// refused for 10.0 (rule Cumulative.since) and its node falls back.
func TestTargetVersionRuleTable(t *testing.T) {
	reg := converters.Builtin()
	if err := reg.Register(conversion.Converter{Target: "onnx.CumSum", Priority: conversion.High, DynamicShapes: true,
		Convert: func(ctx *conversion.Context, n *conversion.Node) error {
			axis := ctx.Net.AddConstant(ir.Scalar(ir.Int32, 1))
			ctx.SetOutput(n, 0, ctx.Net.AddCumulative(ctx.Input(n, 0), axis, network.CumulativeSUM, false, false))
			return nil
		}}, "test"); err != nil {
		t.Fatal(err)
	}
	res := compileTarget(t, cumsumGraph(ir.Float32), network.Version{Major: 10, Minor: 0}, reg)
	var reason string
	for n, err := range res.ConvertFailures {
		if n.Name == "cumsum" {
			reason = err.Error()
		}
	}
	if !strings.Contains(reason, "Cumulative.since") || !strings.Contains(reason, "the target is 10.0") {
		t.Errorf("10.0 target with a Cumulative layer: failure %q, want rule Cumulative.since", reason)
	}
	if res = compileTarget(t, cumsumGraph(ir.Float32), network.Version{Major: 10, Minor: 8}, reg); len(res.ConvertFailures) != 0 {
		t.Errorf("10.8 target: failures %v", res.ConvertFailures)
	}
}

// A target outside the releases trtc builds for is refused before anything
// is built.
func TestTargetVersionRefused(t *testing.T) {
	for _, v := range []network.Version{{Major: 9, Minor: 6}, {Major: 12, Minor: 0}, {Major: 11, Minor: 2}} {
		g := cumsumGraph(ir.Float32)
		s := &conversion.Settings{MinBlockSize: 1, Backend: "reference", TargetVersion: v}
		folded, err := Prepare(g, "cumsum", s)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(g, "cumsum", folded, Options{Settings: s, Registry: converters.Builtin()})
		var te *TargetVersionError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "TensorRT "+v.String()+" is not supported") {
			t.Errorf("target %v: %v", v, err)
		}
	}
}
