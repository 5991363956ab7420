package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// jsonPaths lists the key paths of a JSON document in the order they first
// appear ("source.sha256", "segments[].engine.nodes[].op").
func jsonPaths(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []string
	seen := map[string]bool{}
	var walk func(path string)
	walk = func(path string) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, _ := dec.Token()
				p := strings.TrimPrefix(path+"."+k.(string), ".")
				if !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
				walk(p)
			}
			dec.Token()
		case json.Delim('['):
			for dec.More() {
				walk(path + "[]")
			}
			dec.Token()
		}
	}
	walk("")
	return out
}

// typePaths lists the key paths of a Go type's JSON form, in field order.
func typePaths(t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice {
			path += "[]"
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		p := strings.TrimPrefix(path+"."+name, ".")
		*out = append(*out, p)
		typePaths(f.Type, p, out)
	}
}

func docExample(t *testing.T) []byte {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "bundle-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## `inspect -o json`.*?```json\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/bundle-format.md has no inspect -o json example")
	}
	return m[1]
}

// The documented schema is exactly what trtc prints: the same keys in the
// same order.
func TestInspectSchemaDoc(t *testing.T) {
	doc := jsonPaths(t, docExample(t))
	var want []string
	typePaths(reflect.TypeOf(BundleInfo{}), "", &want)
	// The doc's paths, ordered by first appearance, must be the types'.
	if strings.Join(doc, "\n") != strings.Join(want, "\n") {
		t.Errorf("docs/bundle-format.md's example and BundleInfo differ:\ndoc:\n  %s\ntypes:\n  %s",
			strings.Join(doc, "\n  "), strings.Join(want, "\n  "))
	}
	var v map[string]any
	if err := json.Unmarshal(docExample(t), &v); err != nil || v["schema"] != BundleSchema {
		t.Errorf("example's schema: %v %v", v["schema"], err)
	}
}

// inspect -o json of a real bundle with engine and fallback segments:
// every key is documented and in the documented order, hashes are hex,
// dtypes names, sizes integers.
func TestInspectJSONBundle(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	bundlePath := filepath.Join(dir, "r.trtb")
	model := filepath.Join("..", "..", "testdata", "models", "cnn_resnet", "model.onnx")
	var out, errb bytes.Buffer
	if code := Main([]string{"compile", model, "-o", bundlePath, "--fallback-ops", "Gemm"}, &out, &errb); code != 0 {
		t.Fatalf("compile: %d %s", code, errb.String())
	}
	out.Reset()
	if code := Main([]string{"inspect", "-o", "json", bundlePath}, &out, &errb); code != 0 {
		t.Fatalf("inspect: %d %s", code, errb.String())
	}
	got := jsonPaths(t, out.Bytes())
	doc := jsonPaths(t, docExample(t))
	pos := map[string]int{}
	for i, p := range doc {
		pos[p] = i
	}
	last := -1
	for _, p := range got {
		i, ok := pos[p]
		if !ok {
			t.Errorf("key %s is not documented", p)
			continue
		}
		if i < last {
			t.Errorf("key %s out of the documented order", p)
		}
		last = i
	}
	var info struct {
		Source struct {
			Size   json.Number
			SHA256 string
		}
		Inputs   []struct{ DType string }
		Segments []struct {
			Kind     string
			Fallback *struct {
				Constants []struct {
					DType string
					Dims  []json.Number
				}
			}
		}
		Blobs []struct {
			Kind           string
			Offset, Length json.Number
			SHA256         string
		}
	}
	dec := json.NewDecoder(bytes.NewReader(out.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(&info); err != nil {
		t.Fatal(err)
	}
	hex := regexp.MustCompile(`^[0-9a-f]{64}$`)
	if !hex.MatchString(info.Source.SHA256) || info.Source.Size.String() != "4975203" {
		t.Errorf("source: %+v", info.Source)
	}
	if len(info.Inputs) != 1 || info.Inputs[0].DType != ir.Float32.String() || info.Inputs[0].DType != "float32" {
		t.Errorf("inputs: %+v", info.Inputs)
	}
	if len(info.Segments) != 2 || info.Segments[0].Kind != "engine" || info.Segments[1].Kind != "fallback" ||
		len(info.Segments[1].Fallback.Constants) != 2 || info.Segments[1].Fallback.Constants[0].DType != "float32" {
		t.Fatalf("segments: %+v", info.Segments)
	}
	for _, b := range info.Blobs {
		if !hex.MatchString(b.SHA256) || (b.Kind != "engine" && b.Kind != "subgraph" && b.Kind != "constant") {
			t.Errorf("blob %+v", b)
		}
		if _, err := b.Offset.Int64(); err != nil {
			t.Errorf("blob offset %q is not an integer", b.Offset)
		}
	}
	if !strings.Contains(out.String(), `"size": 4975203`) {
		t.Error("sizes must be JSON integers, not strings")
	}
}
