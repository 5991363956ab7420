package e2e

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trtc-dev/trtc/pkg/bundle"
)

// tempFiles lists the temporary files beside path (".<base>.*").
func tempFiles(t testing.TB, path string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Finding 9: 100 signals (SIGINT, SIGTERM, SIGKILL) at random moments
// during compiles to one path. After every one the bundle at -o is whole
// (it opens with every check) and is either the one before the compile or
// the one the compile was making; SIGINT and SIGTERM leave no temporary
// file of the stopped process (and exit 130/143 when they land during
// work); what SIGKILL leaves is gone once the next compile to the same path
// has run.
func TestKillDuringCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := trtcBinary(t)
	tmp := t.TempDir()
	models := []string{filepath.Join(modelDir("cnn_mobilenet"), "model.onnx"), filepath.Join(modelDir("gpt_tiny"), "model.onnx")}
	sums := make([][]byte, len(models))
	for i, m := range models {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(data)
		sums[i] = s[:]
	}
	out := filepath.Join(tmp, "model.trtb")
	rng := rand.New(rand.NewPCG(12, 9))
	sigs := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL}
	counts := map[string]int{}
	var before []byte // the bundle at out before this compile, nil if none
	for i := range 100 {
		which := i % len(models)
		sig := sigs[rng.IntN(len(sigs))]
		// Delays within a compile's usual time (about 170 ms and 60 ms on
		// an idle machine), so that most signals land during the work.
		delay := time.Duration(rng.IntN([]int{120, 50}[which])) * time.Millisecond
		cmd := exec.Command(bin, "compile", models[which], "-o", out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(sig)
		cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		switch {
		case code == 0:
			counts["finished first"]++
		case ws.Signaled():
			counts["killed by "+ws.Signal().String()]++
		case code == 128+int(sig):
			counts["stopped by "+sig.String()]++
		default:
			t.Fatalf("run %d (%v after %v): exit %d: %s", i, sig, delay, code, stderr.String())
		}
		if strings.Contains(stderr.String(), "goroutine ") || strings.Contains(stderr.String(), "panic") {
			t.Fatalf("run %d: crash: %s", i, stderr.String())
		}
		// The stopped process's own temporary files are gone, unless it
		// was SIGKILLed (nothing runs then).
		pid := cmd.Process.Pid
		if !ws.Signaled() {
			for _, f := range tempFiles(t, out) {
				if strings.Contains(filepath.Base(f), "."+strconv.Itoa(pid)+".") {
					t.Fatalf("run %d (%v after %v, exit %d): left %s", i, sig, delay, code, f)
				}
			}
		}
		now, err := os.ReadFile(out)
		if os.IsNotExist(err) {
			if before != nil {
				t.Fatalf("run %d: the bundle disappeared", i)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := bundle.Open(out)
		if err != nil {
			t.Fatalf("run %d (%v after %v): the bundle at -o is not whole: %v", i, sig, delay, err)
		}
		src := b.Manifest().GetSource().GetSha256()
		b.Close()
		if !bytes.Equal(now, before) && !bytes.Equal(src, sums[which]) {
			t.Fatalf("run %d: the bundle changed but is not the one being compiled", i)
		}
		before = now
	}
	t.Logf("outcomes: %v", counts)
	// One compile that finishes removes whatever killed runs left.
	if r := runBinary(t, 0, time.Minute, "compile", models[0], "-o", out); r.code != 0 {
		t.Fatalf("final compile: exit %d: %s", r.code, r.stderr)
	}
	if left := tempFiles(t, out); len(left) > 0 {
		t.Fatalf("temporary files left after a full compile: %v", left)
	}
}
