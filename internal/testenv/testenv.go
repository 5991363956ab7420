// Package testenv finds test inputs that live outside the repository.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the folder holding go.mod above the working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// NodeTestsDir returns the ONNX backend node tests, ../shared/onnx-node-tests
// from the repository root, or skips the test. $TRTC_NODE_TESTS overrides the
// place; folders above the root are also tried, so a git worktree nested
// below the main checkout (wt/name) finds them too.
func NodeTestsDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("TRTC_NODE_TESTS"); dir != "" {
		return dir
	}
	root := RepoRoot(t)
	for dir := root; ; {
		cand := filepath.Join(dir, "..", "shared", "onnx-node-tests")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return filepath.Clean(cand)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	t.Skipf("ONNX node tests not found at %s (set TRTC_NODE_TESTS to their folder)", filepath.Join(root, "..", "shared", "onnx-node-tests"))
	return ""
}
