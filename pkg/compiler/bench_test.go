package compiler

import (
	"fmt"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	_ "github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// generated builds an n-node graph shaped like a deep network: a chain of
// Add/Mul nodes with a skip connection every 4 nodes and a Sub (forced to
// fallback below) every 100 nodes, so the partitioner cuts real segments.
func generated(n int) *ir.Graph {
	g := ir.NewGraph(fmt.Sprintf("gen%d", n), "onnx")
	g.Opsets[""] = 17
	g.Inputs = []string{"x"}
	g.Values["x"] = &ir.Value{Name: "x", DType: ir.Float32, Shape: ir.Shape{ir.Sym("batch"), ir.D(16)}}
	g.Values["c"] = &ir.Value{Name: "c", DType: ir.Float32, Shape: ir.S(16), Const: ir.NewTensor(ir.Float32, []int64{16})}
	prev, skip := "x", "x"
	for i := 0; i < n; i++ {
		out := fmt.Sprintf("v%d", i)
		nd := &ir.Node{Name: fmt.Sprintf("n%d", i), Outputs: []string{out}, Attrs: map[string]ir.Attr{}}
		switch {
		case i%100 == 99:
			nd.Op, nd.Inputs = "onnx.Sub", []string{prev, "c"}
		case i%4 == 3:
			nd.Op, nd.Inputs = "onnx.Add", []string{prev, skip}
			skip = out
		case i%2 == 0:
			nd.Op, nd.Inputs = "onnx.Mul", []string{prev, "c"}
		default:
			nd.Op, nd.Inputs = "onnx.Add", []string{prev, "c"}
		}
		g.Nodes = append(g.Nodes, nd)
		prev = out
	}
	g.Outputs = []string{prev}
	return g
}

// BenchmarkCompile measures the whole compile of generated graphs, short of
// writing the bundle: topological sort, inference, capability, partition,
// conversion and the reference engine builds. ns/node should stay flat as n
// grows tenfold (near-linear growth).
func BenchmarkCompile(b *testing.B) {
	reg := converters.Builtin()
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				g := generated(n)
				s := &conversion.Settings{MinBlockSize: 5, Backend: "reference", FallbackOps: []string{"Sub"}}
				b.StartTimer()
				if err := g.TopoSort(); err != nil {
					b.Fatal(err)
				}
				folded, err := Prepare(g, "generated", s)
				if err != nil {
					b.Fatal(err)
				}
				res, err := Compile(g, "generated", folded, Options{Settings: s, Registry: reg})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Partition.Segments) < n/100 {
					b.Fatalf("%d segments for %d nodes", len(res.Partition.Segments), n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/node")
		})
	}
}
