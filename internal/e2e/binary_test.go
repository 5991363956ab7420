package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trtc-dev/trtc/internal/testenv"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// trtcBinary builds cmd/trtc once per test process, so that tests see what a
// user sees: exit codes set by os.Exit, panics the Go runtime prints,
// signals and resource limits on a real process.
func trtcBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		// TRTC_E2E_BINARY runs the tests against another build (an older
		// trtc, to see that a regression test fails there).
		if p := os.Getenv("TRTC_E2E_BINARY"); p != "" {
			binPath = p
			return
		}
		dir, err := os.MkdirTemp("", "trtc-e2e-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "trtc")
		// The Makefile's flags: go-nvml's symbols bind lazily (see the
		// Makefile), so a plain go build does not start.
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-extldflags=-Wl,-z,lazy", "-o", binPath, "./cmd/trtc")
		cmd.Dir = testenv.RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("building trtc: %v", binErr)
	}
	return binPath
}

// result is one run of the built binary.
type result struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
	elapsed        time.Duration
}

// runBinary runs the built trtc with args under an address-space cap of
// asLimit bytes (0: none) and a timeout.
func runBinary(t testing.TB, asLimit int64, timeout time.Duration, args ...string) result {
	t.Helper()
	bin := trtcBinary(t)
	name, argv := bin, args
	if asLimit > 0 {
		prl, err := exec.LookPath("prlimit")
		if err != nil {
			t.Skip("prlimit (util-linux) is not installed: cannot cap the address space")
		}
		name = prl
		argv = append([]string{"--as=" + strconv.FormatInt(asLimit, 10), "--", bin}, args...)
	}
	cmd := exec.Command(name, argv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "GOTRACEBACK=single")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("trtc %s: still running after %v (hang)", strings.Join(args, " "), timeout)
	}
	r := result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024
	}
	return r
}

// noPanic fails on a Go panic or runtime crash in stderr.
func noPanic(t testing.TB, r result) {
	t.Helper()
	for _, s := range []string{"goroutine ", "panic:", "fatal error:", "SIGSEGV"} {
		if strings.Contains(r.stderr, s) {
			t.Errorf("crash (%q in stderr): %s", s, r.stderr)
			return
		}
	}
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
