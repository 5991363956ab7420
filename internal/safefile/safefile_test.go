package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.bin")
	os.WriteFile(p, []byte("hello"), 0o644)
	if b, err := ReadFile(p, 0); err != nil || string(b) != "hello" {
		t.Fatalf("%q, %v", b, err)
	}
	var tl *TooLargeError
	if _, err := ReadFile(p, 4); !errors.As(err, &tl) || tl.Size != 5 {
		t.Errorf("limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// Devices, FIFOs and folders are refused at once, directly or through a
// link: no read of /dev/zero without end, no wait for a FIFO's writer.
func TestNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	link := filepath.Join(dir, "zero")
	os.Symlink("/dev/zero", link)
	cases := map[string]string{fifo: "FIFO", dir: "directory", link: "character device", "/dev/zero": "character device"}
	for path, want := range cases {
		done := make(chan error, 1)
		go func() { _, err := ReadFile(path, 0); done <- err }()
		select {
		case err := <-done:
			var nr *NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s: %v, want a NotRegularError saying %q", path, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: ReadFile blocked", path)
		}
		if err := Check(path); err == nil {
			t.Errorf("Check(%s) passed", path)
		}
	}
}
