package compiler

import (
	"reflect"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// torch.export's range constraints become the default optimization
// profile; an unbounded symbol leaves the choice to the user's flags.
func TestRangeProfile(t *testing.T) {
	g := ir.NewGraph("t", "aten")
	g.Values["idx"] = &ir.Value{Name: "idx", DType: ir.Int64, Shape: ir.Shape{ir.Sym("s95"), ir.Sym("s75"), ir.D(3)},
		Min: map[string]int64{"s95": 1, "s75": 2}, Max: map[string]int64{"s95": 4, "s75": 16}}
	g.Values["w"] = &ir.Value{Name: "w", DType: ir.Float32, Shape: ir.S(2)}
	g.Inputs = []string{"idx", "w"}
	p, ok := RangeProfile(g)
	if !ok {
		t.Fatal("no profile")
	}
	if !reflect.DeepEqual(p.Min["idx"], []int64{1, 2, 3}) || !reflect.DeepEqual(p.Max["idx"], []int64{4, 16, 3}) ||
		!reflect.DeepEqual(p.Opt["idx"], []int64{4, 16, 3}) || p.Min["w"] != nil {
		t.Fatalf("profile %+v", p)
	}
	delete(g.Values["idx"].Max, "s75")
	if _, ok := RangeProfile(g); ok {
		t.Fatal("a profile from an unbounded symbol")
	}
}
