// Package atomicfile writes files so that readers see either the old file or
// the whole new one, never a part: the data goes to a temporary file in the
// same folder, which is synced and renamed over the target. On any error
// the temporary file is removed and the target is untouched.
//
// Targets. Only a regular file is replaced: an existing target that is a
// device, a FIFO, a socket or a directory is refused (Target says so). A
// symbolic link is followed: the file it points to is replaced (in its own
// folder) and the link stays; a dangling link is refused.
//
// Temporary files are named ".<base>.<pid>.<random>.tmp" beside the target.
// Every one this process has open is registered, so that RemoveTemps (called
// on SIGINT or SIGTERM) deletes them; one left by a process that was killed
// outright (SIGKILL, a crash) is recognised by its pid, no longer running,
// and removed by the next write to the same target (CleanStale).
package atomicfile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// NotRegularError is a target that exists and is not a regular file.
type NotRegularError struct {
	Path, Kind string
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s: trtc replaces only regular files", e.Path, e.Kind)
}

// Target checks an output path and returns the path to write: path itself,
// or the file a symbolic link at path points to. An existing target that is
// not a regular file, or a dangling link, is an error.
func Target(path string) (string, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return path, nil
	}
	if err != nil {
		return "", err
	}
	if st.Mode()&os.ModeSymlink != 0 {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return "", &NotRegularError{Path: path, Kind: "a symbolic link that does not resolve"}
		}
		st, err = os.Stat(real)
		if err != nil {
			return "", err
		}
		if !st.Mode().IsRegular() {
			return "", &NotRegularError{Path: path + " (a link to " + real + ")", Kind: safefile.Kind(st.Mode())}
		}
		return real, nil
	}
	if !st.Mode().IsRegular() {
		return "", &NotRegularError{Path: path, Kind: safefile.Kind(st.Mode())}
	}
	return path, nil
}

// CheckWritable checks, before any work, that a file can be written at
// path: Target accepts it and a temporary file can be made beside it (the
// folder exists and is writable). Nothing is left behind.
func CheckWritable(path string) error {
	target, err := Target(path)
	if err != nil {
		return err
	}
	f, err := CreateTemp(target)
	if err != nil {
		return err
	}
	f.Close()
	os.Remove(f.Name())
	Release(f.Name())
	return nil
}

var (
	mu       sync.Mutex
	live     = map[string]bool{}
	shutdown bool
)

// CreateTemp makes a new, registered temporary file beside target (which
// Target has resolved), after removing stale ones. It honours the umask
// (mode 0666 before it), so the file gets the permissions any new file would.
func CreateTemp(target string) (*os.File, error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	CleanStale(target)
	for try := 0; ; try++ {
		var rnd [6]byte
		rand.Read(rnd[:])
		name := filepath.Join(dir, fmt.Sprintf(".%s.%d.%x.tmp", base, os.Getpid(), rnd))
		mu.Lock()
		if shutdown {
			mu.Unlock()
			return nil, errors.New("trtc is stopping (interrupted): no new files are written")
		}
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			live[name] = true
		}
		mu.Unlock()
		if err == nil || !errors.Is(err, os.ErrExist) || try == 10 {
			return f, err
		}
	}
}

// Release unregisters a temporary file that was renamed or removed.
func Release(name string) {
	mu.Lock()
	delete(live, name)
	mu.Unlock()
}

// RemoveTemps removes every registered temporary file and refuses new ones:
// for a signal handler, just before the process exits.
func RemoveTemps() {
	mu.Lock()
	defer mu.Unlock()
	shutdown = true
	for name := range live {
		os.Remove(name)
		delete(live, name)
	}
}

// staleAge is how old a temporary file without a pid in its name (written
// by an older trtc) must be before CleanStale removes it.
const staleAge = time.Hour

// CleanStale removes the temporary files that earlier writes to target left
// behind: those whose writer's pid no longer runs, and those of older trtc
// versions (no pid in the name) once they are an hour old. Files of a
// running writer are kept: it may still rename its file over target.
func CleanStale(target string) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + base + "."
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || e.IsDir() {
			continue
		}
		full := filepath.Join(dir, name)
		switch {
		case strings.HasSuffix(rest, ".tmp") && strings.Count(rest, ".") == 2:
			// <pid>.<random>.tmp
			pid, err := strconv.Atoi(rest[:strings.IndexByte(rest, '.')])
			if err != nil || pid <= 0 {
				continue
			}
			mu.Lock()
			mine := live[full]
			mu.Unlock()
			if mine || (pid != os.Getpid() && running(pid)) {
				continue
			}
			if pid == os.Getpid() {
				continue // ours but not registered: being renamed right now
			}
			os.Remove(full)
		case strings.HasPrefix(rest, "tmp") || strings.HasSuffix(rest, ".tmp"):
			// .<base>.tmp<digits> (atomicfile) and .<base>.<random>.tmp
			// (the bundle writer) of older versions.
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAge {
				os.Remove(full)
			}
		}
	}
}

// running reports whether a process with this pid exists.
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// WriteFile writes data to path atomically with permissions perm.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	p, err := Prepare(path, data, perm)
	if err != nil {
		return err
	}
	return p.Commit()
}

// Pending is a file written and synced beside its target, waiting to be
// renamed over it: it lets a caller write two files (a bundle and its
// report) so that both land or neither does, short of a failed rename.
type Pending struct {
	tmp, target string
	done        bool
}

// Prepare writes data to a temporary file beside path's target.
func Prepare(path string, data []byte, perm os.FileMode) (_ *Pending, err error) {
	target, err := Target(path)
	if err != nil {
		return nil, err
	}
	f, err := CreateTemp(target)
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			Release(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return nil, err
	}
	if _, err = f.Write(data); err != nil {
		return nil, err
	}
	if err = f.Sync(); err != nil {
		return nil, err
	}
	if err = f.Close(); err != nil {
		return nil, err
	}
	return &Pending{tmp: tmp, target: target}, nil
}

// Commit renames the file over its target; on failure the temporary file
// is removed.
func (p *Pending) Commit() error {
	if p.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	p.done = true
	defer Release(p.tmp)
	if err := os.Rename(p.tmp, p.target); err != nil {
		os.Remove(p.tmp)
		return err
	}
	return nil
}

// Abort removes the temporary file; after Commit it does nothing.
func (p *Pending) Abort() {
	if p.done {
		return
	}
	p.done = true
	os.Remove(p.tmp)
	Release(p.tmp)
}
