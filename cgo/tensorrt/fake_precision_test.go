//go:build tensorrt && fakenvinfer

package tensorrt

// The precision flags through the shim, recorded by the fake: on TensorRT
// 10 a weakly typed network gets the builder flags and per-layer
// precisions; a strongly typed network (TensorRT 11, or --strongly-typed)
// carries the autocast pass's casts and no builder flag.

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/precision"
)

func compiledMajor(t *testing.T) int {
	t.Helper()
	_, compiled, err := libVersion()
	if err != nil {
		t.Fatal(err)
	}
	return int(compiled) / 10000
}

var cnnModel = filepath.Join("..", "..", "testdata", "models", "cnn_resnet", "model.onnx")

// TestFakeWeakTypingPrecisionFlags: on TensorRT 10 without
// --strongly-typed, --fp16 --bf16 --int8 --fp8 become BuilderFlag kFP16,
// kBF16, kINT8, kFP8 on a network created without kSTRONGLY_TYPED, and
// --keep-fp32 Gemm sets the Gemm node's layers to kFLOAT with
// kOBEY_PRECISION_CONSTRAINTS; no cast is inserted.
func TestFakeWeakTypingPrecisionFlags(t *testing.T) {
	if compiledMajor(t) >= 11 {
		t.Skip("TensorRT 11 has no weakly typed networks (TestFakeStronglyTypedAutocast covers it)")
	}
	fakeEvents()
	s := conversion.DefaultSettings()
	s.Backend, s.MinBlockSize = "tensorrt", 1
	p := precision.Options{FP16: true, BF16: true, INT8: true, FP8: true, KeepFP32: []string{"Gemm"}}
	res, err := compiler.CompileFile(cnnModel, compiler.Options{Settings: s, Registry: converters.Builtin(), Precision: p})
	if err != nil {
		t.Fatal(err)
	}
	if res.Precision != nil || !res.BuildPrecision.FP16 || res.BuildPrecision.StronglyTyped {
		t.Fatalf("weakly typed TensorRT 10 compile: autocast %v, build precision %+v", res.Precision, res.BuildPrecision)
	}
	if len(res.Engines) != 1 {
		t.Fatalf("%d engines, want 1", len(res.Engines))
	}
	for _, e := range res.Engines {
		for _, f := range []string{"FP16", "BF16", "INT8", "FP8", "OBEY_PRECISION_CONSTRAINTS"} {
			if !bytes.Contains(e.Blob, []byte("\nset flag "+f+"\n")) {
				t.Errorf("builder flag k%s not set", f)
			}
		}
		_, rec, _ := bytes.Cut(e.Blob, []byte("\nlayers\n"))
		var layers []network.LayerInfo
		if err := json.Unmarshal(rec, &layers); err != nil {
			t.Fatal(err)
		}
		pinned := 0
		for _, l := range layers {
			gemm := strings.Contains(l.Name, "-[node_linear]")
			prec, has := l.Params["precision"]
			switch {
			case gemm && (!has || prec != "FLOAT" || l.Params["output_type_0"] != "FLOAT"):
				t.Errorf("layer %s of the Gemm node: precision %v, output type %v; want FLOAT (--keep-fp32 Gemm)", l.Name, prec, l.Params["output_type_0"])
			case !gemm && has:
				t.Errorf("layer %s has precision %v, but --keep-fp32 names only Gemm", l.Name, prec)
			case l.Type == "CAST":
				t.Errorf("weakly typed network has a cast %s: autocast must not run", l.Name)
			}
			if gemm {
				pinned++
			}
		}
		if pinned == 0 {
			t.Error("no layer of the Gemm node (node_linear) found")
		}
	}
	events := fakeEvents()
	if !containsEvent(events, "createNetworkV2 flags 0") {
		t.Errorf("network not created weakly typed; events %v", events)
	}
	noUnexpected(t, events)
}

// TestFakeStronglyTypedAutocast: --fp16 on a strongly typed network
// (TensorRT 11 always; 10 with --strongly-typed) sets no builder flag; the
// network the shim builds carries the autocast casts and float16 compute
// layers, and equals the reference backend's layer by layer (the tee).
func TestFakeStronglyTypedAutocast(t *testing.T) {
	for _, model := range []string{cnnModel, filepath.Join("..", "..", "testdata", "models", "gpt_tiny", "model.onnx")} {
		t.Run(filepath.Base(filepath.Dir(model)), func(t *testing.T) {
			fakeEvents()
			teeMu.Lock()
			teeBuilds = nil
			teeMu.Unlock()
			s := conversion.DefaultSettings()
			s.Backend, s.MinBlockSize = "tensorrt-fake-tee", 1
			p := precision.Options{FP16: true, StronglyTyped: true}
			res, err := compiler.CompileFile(model, compiler.Options{Settings: s, Registry: converters.Builtin(), Precision: p})
			if err != nil {
				t.Fatal(err)
			}
			if res.Precision == nil || res.Precision.Lowered() == 0 || res.BuildPrecision.FP16 {
				t.Fatalf("autocast %+v, build precision %+v", res.Precision, res.BuildPrecision)
			}
			teeMu.Lock()
			builds := teeBuilds
			teeMu.Unlock()
			if len(builds) == 0 {
				t.Fatal("nothing built through the shim")
			}
			casts, half := 0, 0
			for i, b := range builds {
				if b.err != nil {
					t.Fatalf("engine %d: %v", i, b.err)
				}
				for _, d := range compareLayers(b.reference, b.record) {
					t.Errorf("engine %d: %s", i, d)
				}
				for _, l := range b.record {
					if l.Type == "CAST" {
						casts++ // the CNN's input to float16, the outputs back to float32
					}
					if network.IsCompute(l.Type) && len(l.Outputs) > 0 && l.Outputs[0].DType == "float16" {
						half++
					}
					if _, has := l.Params["precision"]; has {
						t.Errorf("layer %s has a per-layer precision on a strongly typed network", l.Name)
					}
				}
			}
			if casts == 0 || half == 0 {
				t.Errorf("the shim's network has %d casts and %d float16 compute layers; want both > 0", casts, half)
			}
			events := fakeEvents()
			want := "createNetworkV2 flags 2" // 1 << kSTRONGLY_TYPED (1)
			if compiledMajor(t) >= 11 {
				want = "createNetworkV2 flags 0" // only strongly typed networks exist
			}
			if !containsEvent(events, want) {
				t.Errorf("want event %q; events %v", want, events)
			}
			for _, e := range events {
				if strings.Contains(e, "flag FP16") {
					t.Errorf("builder flag on a strongly typed network: %s", e)
				}
			}
			noUnexpected(t, events)
		})
	}
}

func containsEvent(events []string, want string) bool {
	for _, e := range events {
		if e == want {
			return true
		}
	}
	return false
}

// TestFakeWeakTypingConstraintAll: --precision-constraints '*:fp16' on a
// weakly typed TensorRT 10 network pins every layer that writes a float,
// and no layer that does not (shape and index arithmetic keeps its types).
func TestFakeWeakTypingConstraintAll(t *testing.T) {
	if compiledMajor(t) >= 11 {
		t.Skip("TensorRT 11 has no weakly typed networks")
	}
	fakeEvents()
	s := conversion.DefaultSettings()
	s.Backend, s.MinBlockSize = "tensorrt", 1
	p := precision.Options{FP16: true, Constraints: []precision.Constraint{{Name: "*", Type: ir.Float16}}}
	model := filepath.Join("..", "..", "testdata", "models", "gpt_tiny", "model.onnx")
	res, err := compiler.CompileFile(model, compiler.Options{Settings: s, Registry: converters.Builtin(), Precision: p})
	if err != nil {
		t.Fatal(err)
	}
	pinned, left := 0, 0
	for _, e := range res.Engines {
		_, rec, _ := bytes.Cut(e.Blob, []byte("\nlayers\n"))
		var layers []network.LayerInfo
		if err := json.Unmarshal(rec, &layers); err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			float := false
			for _, o := range l.Outputs {
				float = float || o.DType == "float32"
			}
			prec, has := l.Params["precision"]
			switch {
			case l.Type == "CONSTANT" || !strings.Contains(l.Name, "-["):
				// weights and the output identities belong to no node
			case float && prec != "HALF":
				t.Errorf("layer %s writes float32 but has precision %v, want HALF", l.Name, prec)
			case !float && has:
				t.Errorf("layer %s writes no float but got precision %v", l.Name, prec)
			case float:
				pinned++
			default:
				left++
			}
		}
	}
	if pinned == 0 {
		t.Error("no layer pinned")
	}
	t.Logf("%d float layers pinned to HALF, %d other layers left alone", pinned, left)
	noUnexpected(t, fakeEvents())
}
