package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/network"
)

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// inspect --layers -o json has exactly the schema of issue 8:
// {"segments":[{"index","kind","layers":[{"name","type","inputs",
// "outputs","params","precision"}]}]} with tensors {"name","dtype","shape",
// "shape_tensor"}, -1 for a dynamic dim, TensorRT's LayerType names.
func TestInspectLayersJSON(t *testing.T) {
	b, _ := compileDynMLP(t)
	out := mustTrtc(t, "inspect", b, "--layers", "-o", "json")
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got := keysOf(raw); !slices.Equal(got, []string{"segments"}) {
		t.Fatalf("top-level keys %v", got)
	}
	segs := raw["segments"].([]any)
	if len(segs) != 1 {
		t.Fatalf("%d engine segments, want 1", len(segs))
	}
	seg := segs[0].(map[string]any)
	if got := keysOf(seg); !slices.Equal(got, []string{"index", "kind", "layers"}) || seg["kind"] != "engine" || seg["index"] != 0.0 {
		t.Fatalf("segment %v", seg)
	}
	layerTypes := map[string]bool{}
	for _, k := range network.Kinds {
		layerTypes[k.LayerType()] = true
	}
	seen := map[string]map[string]any{}
	for _, l := range seg["layers"].([]any) {
		lm := l.(map[string]any)
		if got := keysOf(lm); !slices.Equal(got, []string{"inputs", "name", "outputs", "params", "precision", "type"}) {
			t.Fatalf("layer keys %v", got)
		}
		if !layerTypes[lm["type"].(string)] {
			t.Errorf("layer %v: type %v is not a TensorRT LayerType", lm["name"], lm["type"])
		}
		for _, side := range []string{"inputs", "outputs"} {
			for _, tn := range lm[side].([]any) {
				if got := keysOf(tn.(map[string]any)); !slices.Equal(got, []string{"dtype", "name", "shape", "shape_tensor"}) {
					t.Fatalf("tensor keys %v", got)
				}
			}
		}
		if _, dup := seen[lm["type"].(string)]; !dup {
			seen[lm["type"].(string)] = lm // the first of each type
		}
	}
	mm, ok := seen["MATRIX_MULTIPLY"]
	if !ok {
		t.Fatal("no MATRIX_MULTIPLY layer")
	}
	var in network.TensorInfo
	data, _ := json.Marshal(mm["inputs"].([]any)[0])
	if err := json.Unmarshal(data, &in); err != nil || in.Name != "x" || in.DType != "float32" || !slices.Equal(in.Shape, []int64{-1, 16}) || in.ShapeTensor {
		t.Errorf("matmul input 0: %+v", in)
	}
	if p := mm["params"].(map[string]any); p["operation0"] != "NONE" || p["operation1"] != "TRANSPOSE" {
		t.Errorf("matmul params %v", p)
	}
	if act, ok := seen["ACTIVATION"]; !ok || act["params"].(map[string]any)["operation"] != "RELU" {
		t.Errorf("activation layer %v", act)
	}
	// The fake of TensorRT's conventions (docs/tensorrt.md): dtypes as
	// "float32", weights as dtype, count and hash, static reshapes as
	// reshape_dimensions, and the last layer's output named after the
	// graph output "y", as the shim's markOutput names it.
	if c, ok := seen["CONSTANT"]; !ok {
		t.Error("no CONSTANT layer")
	} else if p := c["params"].(map[string]any); p["dtype"] != "float32" || !slices.Equal(keysOf(asMap(p["weights"])), []string{"count", "dtype", "fnv1a"}) {
		t.Errorf("constant params %v", p)
	}
	if sh, ok := seen["SHUFFLE"]; !ok || asMap(sh["params"])["reshape_dimensions"] == nil {
		t.Errorf("shuffle layer %v", sh)
	}
	layers := seg["layers"].([]any)
	last := asMap(layers[len(layers)-1])
	if out := asMap(last["outputs"].([]any)[0]); out["name"] != "y" {
		t.Errorf("last layer's output %v, want it named after the graph output y", out["name"])
	}
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// The text form follows Polygraphy's `inspect model --show layers`: the
// same layers as the JSON, each with its type, tensors and settings.
func TestInspectLayersText(t *testing.T) {
	b, _ := compileDynMLP(t)
	var info struct {
		Segments []struct {
			Layers []network.LayerInfo `json:"layers"`
		} `json:"segments"`
	}
	if err := json.Unmarshal([]byte(mustTrtc(t, "inspect", b, "--layers", "-o", "json")), &info); err != nil {
		t.Fatal(err)
	}
	out := mustTrtc(t, "inspect", b, "--layers")
	layers := info.Segments[0].Layers
	if !strings.Contains(out, "Segment 0 (engine) ---- "+itoa(len(layers))+" Layer(s) ----") {
		t.Errorf("no segment header for %d layers:\n%s", len(layers), out)
	}
	for i, l := range layers {
		if want := "Layer " + itoa(i); !strings.Contains(out, want) || !strings.Contains(out, l.Name+" [Op: "+l.Type+"]") {
			t.Errorf("text lacks layer %d %s [Op: %s]", i, l.Name, l.Type)
		}
	}
	for _, want := range []string{"{x [dtype=float32, shape=(-1, 16)],", `params: operation0="NONE" operation1="TRANSPOSE"`, "-> {y [dtype=float32, shape=(-1, 4)]}", `params: alpha=0 beta=0 operation="RELU"`} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	// --layers needs a bundle.
	if code, _, errs := trtc(t, "inspect", filepath.Join(modelDir("dyn_mlp"), "model.onnx"), "--layers"); code != 2 || !strings.Contains(errs, "--layers needs a bundle") {
		t.Errorf("--layers on a model: exit %d, %s", code, errs)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
