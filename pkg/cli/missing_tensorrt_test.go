//go:build !tensorrt

package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/cgo/tensorrt"
)

// Without the tensorrt tag, --backend tensorrt is a build failure (exit 6)
// that says how to get a trtc with TensorRT.
func TestCompileTensorRTMissing(t *testing.T) {
	var out, errb bytes.Buffer
	model := filepath.Join("..", "..", "testdata", "models", "cnn_resnet", "model.onnx")
	code := Main([]string{"compile", model, "--backend", "tensorrt", "-o", filepath.Join(t.TempDir(), "m.trtb")}, &out, &errb)
	if code != ExitBuild {
		t.Fatalf("exit %d, want %d; stderr: %s", code, ExitBuild, errb.String())
	}
	if !strings.Contains(errb.String(), tensorrt.MissingHint) || !strings.Contains(errb.String(), `backend "tensorrt" is not available`) {
		t.Errorf("stderr %q lacks the hint", errb.String())
	}
}
