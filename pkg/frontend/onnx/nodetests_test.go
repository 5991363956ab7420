package onnx

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/internal/testenv"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// reason shortens an error to its kind, for a summary of refusals.
var quoted = regexp.MustCompile(`"[^"]*"|/[^ :]*|\b\d+\b`)

func reason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasSuffix(msg[:i], ".onnx") || strings.HasSuffix(msg[:max(i, 0)], ".pb") {
		msg = msg[i+2:]
	}
	return quoted.ReplaceAllString(msg, "_")
}

func summarize(t *testing.T, what string, refused map[string][]string) {
	keys := make([]string, 0, len(refused))
	for k := range refused {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(refused[keys[i]]) > len(refused[keys[j]]) })
	for _, k := range keys {
		ex := refused[k]
		t.Logf("%s refused %4d× %s   (e.g. %s)", what, len(ex), k, ex[0])
	}
}

func TestNodeTestModels(t *testing.T) {
	root := testenv.NodeTestsDir(t)
	models, _ := filepath.Glob(filepath.Join(root, "*", "model.onnx"))
	if len(models) == 0 {
		t.Skipf("no models in %s", root)
	}
	ok := 0
	refused := map[string][]string{}
	for _, path := range models {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Every field of every model must be known to our schema: a
		// wrong field number would show up as unknown bytes.
		var m onnxpb.ModelProto
		if err := proto.Unmarshal(data, &m); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if u := unknownFields(m.ProtoReflect()); u != "" {
			t.Errorf("%s: unknown fields in %s", path, u)
		}
		g, err := Load(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name the file: %v", err)
			}
			r := reason(err)
			refused[r] = append(refused[r], filepath.Base(filepath.Dir(path)))
			continue
		}
		if g.Format != "onnx" || len(g.Opsets) == 0 {
			t.Errorf("%s: format %q opsets %v", path, g.Format, g.Opsets)
		}
		ok++
	}
	summarize(t, "model", refused)
	t.Logf("%d of %d node-test models parse, %d refused", ok, len(models), len(models)-ok)
	if ok < 1700 {
		t.Errorf("only %d of %d models parse; want at least 1700", ok, len(models))
	}
}

func TestNodeTestData(t *testing.T) {
	root := testenv.NodeTestsDir(t)
	files, _ := filepath.Glob(filepath.Join(root, "*", "test_data_set_*", "*.pb"))
	if len(files) == 0 {
		t.Skipf("no test data in %s", root)
	}
	ok := 0
	refused := map[string][]string{}
	for _, path := range files {
		tensor, _, err := ReadTensorFile(path)
		if err != nil {
			r := reason(err)
			refused[r] = append(refused[r], strings.TrimPrefix(path, root+"/"))
			continue
		}
		if int64(len(tensor.Data)) != tensor.Numel()*int64(tensor.DType.Size()) {
			t.Errorf("%s: %v has %d bytes", path, tensor, len(tensor.Data))
		}
		ok++
	}
	summarize(t, "tensor file", refused)
	t.Logf("%d of %d test-data files parse, %d refused", ok, len(files), len(files)-ok)
	if ok < 5500 {
		t.Errorf("only %d of %d tensor files parse; want at least 5500", ok, len(files))
	}
}
