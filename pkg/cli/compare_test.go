package cli

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
)

// layerOf picks the last layer named after the node (its compute, also
// when an autocast cast produced the value), not one of a node whose name
// merely starts the same, and falls back to the layer that outputs the
// value.
func TestLayerOf(t *testing.T) {
	out := func(name string) []network.TensorInfo { return []network.TensorInfo{{Name: name}} }
	layers := []network.LayerInfo{
		{Name: "[Constant]-[onnx.Mul]-[sq]", Outputs: out("c0")},
		{Name: "[ElementWise]-[onnx.Mul]-[sq]", Outputs: out("t0")},
		{Name: "[ElementWise]-[onnx.Mul]-[sq]_1", Outputs: out("t1")},
		{Name: "[ElementWise]-[onnx.Mul]-[sq2]", Outputs: out("t2")},
		{Name: "[Cast]-[onnx.Cast]-[autocast/y]", Outputs: out("y")},
	}
	for _, c := range []struct{ node, value, want string }{
		{"sq", "y", "[ElementWise]-[onnx.Mul]-[sq]_1"},
		{"sq2", "t2", "[ElementWise]-[onnx.Mul]-[sq2]"},
		{"gone", "y", "[Cast]-[onnx.Cast]-[autocast/y]"},
		{"gone", "nothing", ""},
	} {
		if got := layerOf(layers, &ir.Node{Name: c.node}, c.value); got != c.want {
			t.Errorf("node %q value %q: %q, want %q", c.node, c.value, got, c.want)
		}
	}
}

// --input-range entries: LO,HI for every input, NAME=LO,HI for one; each
// bad form is a usage error naming the entry.
func TestParseInputRanges(t *testing.T) {
	r, err := parseInputRanges(nil, []string{"-1,1", "ids=0,50256", "a=b=2,3"})
	if err != nil {
		t.Fatal(err)
	}
	if r[""].Lo != -1 || r[""].Hi != 1 || r["ids"].Hi != 50256 || r["a=b"].Lo != 2 {
		t.Errorf("ranges %v", r)
	}
	for _, bad := range [][]string{{"1"}, {"1,2,3"}, {"=1,2"}, {"x=1"}, {"1,inf"}, {"nan,1"}, {"3,2"}, {"0,1", "2,3"}, {"a=0,1", "a=1,2"}} {
		if _, err := parseInputRanges(nil, bad); exitCode(err) != ExitUsage {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
