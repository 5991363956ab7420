package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	if err := WriteFile(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	st, _ := os.Stat(path)
	if err != nil || string(data) != "two" || st.Mode().Perm() != 0o644 {
		t.Fatalf("got %q, mode %v, %v", data, st.Mode(), err)
	}
	// A failed rename (a folder is in the way) leaves no temporary file.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(blocked, []byte("x"), 0o644); err == nil {
		t.Fatal("rename over a non-empty folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("leftovers: %v", entries)
	}
}

func TestTarget(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	// A device node of our own, never /dev/null: a regression would
	// replace it for the whole machine.
	targets := []string{fifo, dir}
	if dev := filepath.Join(dir, "dev"); syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3) == nil {
		targets = append(targets, dev)
	}
	for _, p := range targets {
		var nr *NotRegularError
		if _, err := Target(p); !errors.As(err, &nr) {
			t.Errorf("Target(%s) = %v, want NotRegularError", p, err)
		}
		if err := WriteFile(p, []byte("x"), 0o644); err == nil {
			t.Errorf("WriteFile(%s) replaced it", p)
		}
	}
	real := filepath.Join(dir, "real")
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(real, link)
	if err := WriteFile(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Errorf("the linked file holds %q", b)
	}
	os.Symlink(filepath.Join(dir, "no", "where"), filepath.Join(dir, "dangling"))
	if _, err := Target(filepath.Join(dir, "dangling")); err == nil {
		t.Error("a dangling link was accepted")
	}
}

// A temporary file of a process that no longer runs is removed by the next
// write to the same target; one of a running process is kept; one of an
// older trtc (no pid) goes once it is old.
func TestCleanStale(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "m.trtb")
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	dead := filepath.Join(dir, fmt.Sprintf(".m.trtb.%d.abcdef.tmp", cmd.Process.Pid))
	alive := filepath.Join(dir, fmt.Sprintf(".m.trtb.%d.abcdef.tmp", os.Getppid()))
	oldStyle := filepath.Join(dir, ".m.trtb.tmp123456")
	newOldStyle := filepath.Join(dir, ".m.trtb.Q2W3E4R5T6.tmp")
	other := filepath.Join(dir, ".other.trtb.1.abcdef.tmp")
	for _, p := range []string{dead, alive, oldStyle, newOldStyle, other} {
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(oldStyle, old, old)
	if err := WriteFile(target, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{dead: false, alive: true, oldStyle: false, newOldStyle: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

func TestPendingAndRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "r.json")
	p, err := Prepare(target, []byte("{}"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Fatal("target appeared before Commit")
	}
	p.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Abort left %v", entries)
	}
	f, err := CreateTemp(target)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	RemoveTemps()
	defer func() { mu.Lock(); shutdown = false; mu.Unlock() }()
	if _, err := os.Stat(f.Name()); err == nil {
		t.Error("RemoveTemps left a registered temporary file")
	}
	if _, err := CreateTemp(target); err == nil {
		t.Error("CreateTemp after RemoveTemps succeeded")
	}
}
