package cli

import (
	"os"
	"testing"
)

// TestMain keeps the engine cache of the compiles these tests run in a
// temporary folder, not in the user's cache directory.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trtc-cli-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
