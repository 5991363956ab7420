package runtime

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// A bundle with TensorRT engines built with a plugin library needs that
// library, the same file; reference engines need none.
func TestTRTPluginLibsChecked(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libp.so")
	os.WriteFile(lib, []byte("\x7fELF library"), 0o644)
	other := filepath.Join(dir, "libq.so")
	os.WriteFile(other, []byte("\x7fELF another"), 0o644)
	sum := sha256.Sum256([]byte("\x7fELF library"))
	manifest := func(backend string) *bundlepb.Manifest {
		return &bundlepb.Manifest{
			Segments:      []*bundlepb.Segment{{Kind: &bundlepb.Segment_Engine{Engine: &bundlepb.EngineSegment{Backend: backend}}}},
			TrtPluginLibs: []*bundlepb.TrtPluginLibrary{{Path: "/opt/libp.so", Sha256: sum[:]}},
		}
	}
	if err := loadTRTPluginLibs(manifest("reference"), nil); err != nil {
		t.Errorf("reference engines: %v", err)
	}
	for _, given := range [][]string{nil, {other}} {
		err := loadTRTPluginLibs(manifest("tensorrt"), given)
		var le *TRTPluginLibError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "/opt/libp.so") || !strings.Contains(err.Error(), "no --trt-plugin-lib gives that build") {
			t.Errorf("given %v: %v", given, err)
		}
	}
	// The right file passes the check; loading it then needs the
	// TensorRT backend, which this build may lack.
	if err := loadTRTPluginLibs(manifest("tensorrt"), []string{lib}); err != nil && strings.Contains(err.Error(), "no --trt-plugin-lib") {
		t.Errorf("the recorded file was not recognised: %v", err)
	}
	if err := loadTRTPluginLibs(manifest("tensorrt"), []string{filepath.Join(dir, "missing.so")}); err == nil || !strings.Contains(err.Error(), "missing.so") {
		t.Errorf("missing file: %v", err)
	}
}
