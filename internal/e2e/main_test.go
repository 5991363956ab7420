package e2e

import (
	"os"
	"testing"
)

// TestMain keeps the engine cache of the compiles these tests run in a
// temporary folder, not in the user's cache directory.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trtc-e2e-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv("TRTC_CACHE_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
