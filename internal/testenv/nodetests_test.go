package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func makeTarget(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-s"}, args...)...)
	cmd.Dir = RepoRoot()
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// `make node-tests` clones the pinned ONNX tag (here a local repository
// stands in for github.com/onnx/onnx, which is out of reach) and keeps only
// the node tests, at the tag, not at the branch head.
func TestMakeNodeTestsFromGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	git(t, repo, "init", "-q", "-b", "main")
	node := filepath.Join(repo, "onnx", "backend", "test", "data", "node")
	write(t, filepath.Join(node, "test_abs", "model.onnx"), "model")
	write(t, filepath.Join(node, "test_abs", "test_data_set_0", "input_0.pb"), "input")
	write(t, filepath.Join(node, "test_relu", "model.onnx"), "model")
	write(t, filepath.Join(repo, "LICENSE"), "Apache-2.0")
	write(t, filepath.Join(repo, "onnx", "defs", "big.cc"), "not wanted")
	git(t, repo, "add", "-A")
	git(t, repo, "commit", "-qm", "release")
	git(t, repo, "tag", "v"+ONNXVersion)
	write(t, filepath.Join(node, "test_after_the_tag", "model.onnx"), "newer")
	git(t, repo, "add", "-A")
	git(t, repo, "commit", "-qm", "later")

	dest := t.TempDir()
	out, err := makeTarget(t, "node-tests", "ONNX_REPO=file://"+repo, "NODE_TESTS_DIR="+dest)
	if err != nil {
		t.Fatalf("make node-tests: %v\n%s", err, out)
	}
	got := filepath.Join(dest, "onnx-node-tests")
	for _, f := range []string{"test_abs/model.onnx", "test_abs/test_data_set_0/input_0.pb", "test_relu/model.onnx", "LICENSE"} {
		if _, err := os.Stat(filepath.Join(got, f)); err != nil {
			t.Errorf("%s missing: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(got, "test_after_the_tag")); err == nil {
		t.Error("fetched the branch head, not the pinned tag")
	}
	if !strings.Contains(out, "node-tests: 2 cases in "+got) {
		t.Errorf("output: %s", out)
	}
	src, _ := os.ReadFile(filepath.Join(got, "SOURCE"))
	if !strings.Contains(string(src), "v"+ONNXVersion) {
		t.Errorf("SOURCE: %q", src)
	}
	ents, _ := os.ReadDir(dest)
	if len(ents) != 1 {
		t.Errorf("left behind in %s: %v", dest, ents)
	}
	// A repository without the tag is a clear failure that leaves nothing.
	git(t, repo, "tag", "-d", "v"+ONNXVersion)
	dest2 := t.TempDir()
	out, err = makeTarget(t, "node-tests", "ONNX_REPO=file://"+repo, "NODE_TESTS_DIR="+dest2)
	if err == nil || !strings.Contains(out, "could not clone") {
		t.Errorf("missing tag: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dest2, "onnx-node-tests")); err == nil {
		t.Error("a failed fetch left a node test folder")
	}
}

// NODE_TESTS_FROM copies a folder the user has: an onnx checkout or a
// folder of test_* cases.
func TestMakeNodeTestsFromFolder(t *testing.T) {
	src := t.TempDir()
	write(t, filepath.Join(src, "onnx", "backend", "test", "data", "node", "test_add", "model.onnx"), "m")
	dest := t.TempDir()
	out, err := makeTarget(t, "node-tests", "NODE_TESTS_FROM="+src, "NODE_TESTS_DIR="+dest)
	if err != nil || !strings.Contains(out, "1 cases") {
		t.Fatalf("make node-tests: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dest, "onnx-node-tests", "test_add", "model.onnx")); err != nil {
		t.Error(err)
	}
	out, err = makeTarget(t, "node-tests", "NODE_TESTS_FROM="+t.TempDir(), "NODE_TESTS_DIR="+dest)
	if err == nil || !strings.Contains(out, "holds no test_* folders") {
		t.Errorf("empty folder: %v %s", err, out)
	}
}

// make test says how to get the node tests where none is found.
func TestMakeTestSaysHowToGetNodeTests(t *testing.T) {
	t.Setenv("TRTC_NODE_TESTS", "")
	os.Unsetenv("TRTC_NODE_TESTS")
	out, err := makeTarget(t, "node-tests-check", "NODE_TESTS_DIR="+t.TempDir(), "SHARED_NODE_TESTS=/nonexistent")
	if err != nil || !strings.Contains(out, "run 'make node-tests' to fetch them") {
		t.Errorf("absent: %v %q", err, out)
	}
	out, _ = makeTarget(t, "node-tests-check", "SHARED_NODE_TESTS="+t.TempDir())
	if out != "" {
		t.Errorf("present: %q", out)
	}
}

// The lookup order: TRTC_NODE_TESTS, then .node-tests/onnx-node-tests in
// the repository, then ../shared/onnx-node-tests.
func TestFindNodeTestsOrder(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "repo", "go.mod"), "module x\n")
	shared := filepath.Join(root, "shared", "onnx-node-tests")
	os.MkdirAll(shared, 0o755)
	t.Chdir(filepath.Join(root, "repo"))
	os.Unsetenv("TRTC_NODE_TESTS")
	t.Setenv("TRTC_NODE_TESTS", "")
	os.Unsetenv("TRTC_NODE_TESTS")
	if got := FindNodeTests(); got != shared {
		t.Errorf("shared: %q", got)
	}
	fetched := filepath.Join(root, "repo", FetchedNodeTests)
	os.MkdirAll(fetched, 0o755)
	if got := FindNodeTests(); got != fetched {
		t.Errorf("fetched: %q", got)
	}
	t.Setenv("TRTC_NODE_TESTS", "/elsewhere")
	if got := FindNodeTests(); got != "/elsewhere" {
		t.Errorf("env: %q", got)
	}
}

// The pinned version is one: the Makefile's, this package's, and the one
// the suite's README names where the suite is at hand.
func TestPinnedONNXVersion(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(RepoRoot(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^ONNX_VERSION\s*:=\s*(\S+)`).FindSubmatch(mk)
	if m == nil || string(m[1]) != ONNXVersion {
		t.Errorf("Makefile ONNX_VERSION %q, testenv.ONNXVersion %q", m, ONNXVersion)
	}
	dir := FindNodeTests()
	if dir == "" {
		t.Skip("node tests absent")
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Skipf("no README in %s", dir)
	}
	if !strings.Contains(string(readme), "ONNX "+ONNXVersion) {
		t.Errorf("%s/README.md does not name ONNX %s", dir, ONNXVersion)
	}
}
