package precision_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/internal/testenv"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/precision"
	"github.com/trtc-dev/trtc/pkg/runtime"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// largeInputCases feed softmax inputs near 10000, where float16's spacing
// is 8 and bfloat16's 64: the generated inputs the overflow rule observes
// are N(0,1), so the pass lowers them and the result is wrong.
// --calibration-input with such inputs keeps them float32
// (docs/precision.md). In bfloat16, test_tan's input near tan's pole
// (x ≈ 1.53) also moves by an ulp, and tan(x) by 7%.
var largeInputCases = map[ir.DType]map[string]bool{
	ir.Float16: {"test_logsoftmax_large_number_expanded": true, "test_logsoftmax_large_number_expanded_ver18": true,
		"test_softmax_large_number": true, "test_softmax_large_number_expanded": true, "test_softmax_large_number_expanded_ver18": true},
	ir.BFloat16: {"test_logsoftmax_large_number_expanded": true, "test_logsoftmax_large_number_expanded_ver18": true,
		"test_softmax_large_number": true, "test_softmax_large_number_expanded": true, "test_softmax_large_number_expanded_ver18": true,
		"test_tan": true},
}

// TestNodeSuiteLowPrecision compiles every ONNX backend node test with --fp16 and --bf16 and
// runs the ones the pass lowered on their own inputs: the pass never fails
// a compile, every lowered bundle runs, and its float32 outputs are within
// 5e-2 of the suite's, except the cases above.
func TestNodeSuiteLowPrecision(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole node suite twice (~20 s)")
	}
	for _, p := range []precision.Options{{FP16: true}, {BF16: true}} {
		t.Run(precision.TypeName(p.LowType()), func(t *testing.T) { nodeSuite(t, p) })
	}
}

func nodeSuite(t *testing.T, p precision.Options) {
	known := largeInputCases[p.LowType()]
	dirs, err := filepath.Glob(filepath.Join(testenv.NodeTestsDir(t), "test_*"))
	if err != nil {
		t.Fatal(err)
	}
	reg := converters.Builtin()
	tmp := t.TempDir()
	lowered, compared := 0, 0
	for _, d := range dirs {
		name, m := filepath.Base(d), filepath.Join(d, "model.onnx")
		if _, err := os.Stat(m); err != nil {
			continue
		}
		s := conversion.DefaultSettings()
		s.MinBlockSize = 1
		res, err := compiler.CompileFile(m, compiler.Options{Settings: s, Registry: reg, Precision: p})
		if err != nil {
			if strings.Contains(err.Error(), "autocast") {
				t.Errorf("%s: the pass failed: %v", name, err)
			}
			continue // the model does not compile in float32 either (node tests' own known failures)
		}
		if res.Precision == nil || res.Precision.Lowered() == 0 {
			continue
		}
		lowered++
		b := filepath.Join(tmp, "b.trtb")
		if err := compiler.WriteBundle(res, m, b); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		prog, err := runtime.Open(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		in := map[string]*ir.Tensor{}
		for i, gi := range res.Graph.Inputs {
			if x, _, err := tensorio.ReadAuto(filepath.Join(d, "test_data_set_0", fmt.Sprintf("input_%d.pb", i))); err == nil {
				in[gi] = x
			}
		}
		out, err := prog.Run(in)
		prog.Close()
		if err != nil {
			t.Errorf("%s: the fp16 bundle does not run: %v", name, err)
			continue
		}
		for i, o := range res.Graph.Outputs {
			want, _, err := tensorio.ReadAuto(filepath.Join(d, "test_data_set_0", fmt.Sprintf("output_%d.pb", i)))
			if err != nil || want.DType != ir.Float32 || out[o] == nil {
				continue
			}
			compared++
			if df := tensorio.Diff(out[o], want, 5e-2, 5e-2); !df.OK && !known[name] {
				t.Errorf("%s: output %s: %v", name, o, df)
			} else if df.OK && known[name] {
				t.Errorf("%s now passes: take it off largeInputCases", name)
			}
		}
	}
	t.Logf("%d node tests lowered to %s and run, %d float32 outputs compared", lowered, precision.TypeName(p.LowType()), compared)
	if lowered < 500 {
		t.Errorf("only %d node tests lowered: the pass lowers (almost) nothing", lowered)
	}
}
