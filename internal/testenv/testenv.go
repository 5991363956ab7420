// Package testenv finds test inputs that live outside the repository.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the folder holding go.mod at or above the working
// directory, or "".
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// FetchedNodeTests is where `make node-tests` puts the ONNX backend node
// tests, relative to the repository root (git-ignored).
const FetchedNodeTests = ".node-tests/onnx-node-tests"

// NodeTestsHint says how to get the node tests where they are absent.
const NodeTestsHint = "run `make node-tests` to fetch them (ONNX v" + ONNXVersion + ", into " + FetchedNodeTests + "), or set TRTC_NODE_TESTS to their folder"

// ONNXVersion is the ONNX release whose node tests trtc is checked against
// (the Makefile's ONNX_VERSION; a test keeps them equal).
const ONNXVersion = "1.23.0"

// FindNodeTests returns the folder of the ONNX backend node tests, or "":
// $TRTC_NODE_TESTS if set; else the copy `make node-tests` fetched into
// .node-tests/onnx-node-tests; else ../shared/onnx-node-tests from the
// repository root, where folders above the root are tried too, so that a
// git worktree nested below the main checkout finds them.
func FindNodeTests() string {
	if dir := os.Getenv("TRTC_NODE_TESTS"); dir != "" {
		return dir
	}
	root := RepoRoot()
	if root == "" {
		return ""
	}
	if cand := filepath.Join(root, FetchedNodeTests); isDir(cand) {
		return cand
	}
	for dir := root; ; {
		cand := filepath.Join(dir, "..", "shared", "onnx-node-tests")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return filepath.Clean(cand)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// NodeTestsDir is FindNodeTests for a test, which it skips when the node
// tests are absent.
func NodeTestsDir(t testing.TB) string {
	t.Helper()
	dir := FindNodeTests()
	if dir == "" {
		t.Skip("ONNX node tests not found (not in " + FetchedNodeTests + " nor ../shared/onnx-node-tests): " + NodeTestsHint)
	}
	return dir
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
