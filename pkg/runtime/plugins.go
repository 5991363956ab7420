package runtime

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"strings"

	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ops"
	bundlepb "github.com/trtc-dev/trtc/proto/bundle"
)

// PluginError is a bundle whose fallback segments run ops of a plugin that
// this process has not loaded, or has loaded in another build than the one
// the bundle was compiled with. The CLI exits 8 on it.
type PluginError struct {
	Op      string
	Plugin  string // the path the bundle records
	Loaded  string // the path the op was loaded from; "" when missing
	Problem string
}

func (e *PluginError) Error() string {
	return fmt.Sprintf("op %s needs plugin %s: %s", e.Op, e.Plugin, e.Problem)
}

// CheckPlugins checks, before anything is loaded or run, that every op
// the manifest's fallback segments run with a plugin's kernel is defined
// by a loaded plugin of the same build (Go build ID and SHA-256 of the
// file) as the one recorded at compile time. Ops inside engines were
// converted at compile time and need no plugin.
func CheckPlugins(m *bundlepb.Manifest) error {
	ids := map[string]conversion.Identity{}
	for _, pl := range m.GetPlugins() {
		for _, key := range pl.GetFallbackOps() {
			op, ok := ops.Lookup(key)
			if !ok {
				return &PluginError{Op: key, Plugin: pl.GetPath(), Problem: fmt.Sprintf(
					"it is not loaded (build ID %s); load it with --plugin, the config's plugins: or TRTC_PLUGINS", pl.GetBuildId())}
			}
			if !op.IsPlugin() {
				return &PluginError{Op: key, Plugin: pl.GetPath(), Problem: "this trtc defines the op itself; the bundle was compiled with the plugin's definition"}
			}
			id, seen := ids[op.Origin]
			if !seen {
				var err error
				if id, err = conversion.PluginIdentity(op.Origin); err != nil {
					return &PluginError{Op: key, Plugin: pl.GetPath(), Loaded: op.Origin, Problem: err.Error()}
				}
				ids[op.Origin] = id
			}
			if id.BuildID != pl.GetBuildId() || !bytes.Equal(id.SHA256, pl.GetSha256()) {
				return &PluginError{Op: key, Plugin: pl.GetPath(), Loaded: op.Origin, Problem: fmt.Sprintf(
					"the loaded plugin %s is another build (build ID %s, sha256 %x) than the bundle was compiled with (build ID %s, sha256 %x); recompile the bundle or load that build",
					op.Origin, id.BuildID, id.SHA256[:8], pl.GetBuildId(), pl.GetSha256()[:min(8, len(pl.GetSha256()))])}
			}
		}
	}
	return nil
}

// loadTRTPluginLibs checks, before any engine is loaded, that every
// TensorRT plugin library the bundle records is among given (same sha256)
// when the bundle has TensorRT engines, then loads given into the TensorRT
// backend. Engines of the reference backend run plugin layers through CPU
// ops and need no library.
func loadTRTPluginLibs(m *bundlepb.Manifest, given []string) error {
	trt := false
	for _, s := range m.GetSegments() {
		if e := s.GetEngine(); e != nil && e.GetBackend() == "tensorrt" {
			trt = true
		}
	}
	sums := map[string]string{}
	for _, g := range given {
		data, err := os.ReadFile(g)
		if err != nil {
			return &TRTPluginLibError{Path: g, Problem: err.Error()}
		}
		sum := sha256.Sum256(data)
		sums[string(sum[:])] = g
	}
	if !trt {
		return nil
	}
	for _, l := range m.GetTrtPluginLibs() {
		if _, ok := sums[string(l.GetSha256())]; !ok {
			return &TRTPluginLibError{Path: l.GetPath(), Problem: fmt.Sprintf(
				"the bundle's TensorRT engines were built with this library (sha256 %x), and no --trt-plugin-lib gives that build", l.GetSha256())}
		}
	}
	if len(given) == 0 {
		return nil
	}
	be, err := backend.Get("tensorrt")
	if err != nil {
		return err
	}
	if err := backend.LoadPluginLibraries(be, given); err != nil {
		return &TRTPluginLibError{Path: strings.Join(given, ", "), Problem: err.Error()}
	}
	return nil
}

// TRTPluginLibError is a TensorRT plugin library a bundle needs that is not
// given, not readable or not loadable. The CLI exits 8 on it.
type TRTPluginLibError struct {
	Path    string
	Problem string
}

func (e *TRTPluginLibError) Error() string {
	return fmt.Sprintf("TensorRT plugin library %s: %s", e.Path, e.Problem)
}
