package conversion

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"plugin"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/version"
)

// PluginSymbol is the function every converter plugin exports:
//
//	func RegisterConverters(r conversion.Registrar) error
//
// A plugin is a `package main` built with `go build -buildmode=plugin`,
// with the same Go toolchain, the same trtc source and the same build flags
// as the trtc binary that loads it (`make plugins` does this).
const PluginSymbol = "RegisterConverters"

// Registrar is what a plugin's RegisterConverters receives: it registers
// converters and op definitions with the plugin's file as their origin.
type Registrar interface {
	// Register adds a converter (see Converter; Origin is set for you).
	Register(c Converter) error
	// DefineOp adds an op trtc does not know: its schema, shape
	// inference, CPU kernel and constant-folding opt-in (see ops.Def).
	// The op is then first-class: compile infers its shapes, partitions
	// it, converts it with a registered converter or runs it in a
	// fallback segment with the kernel, and bundles record the plugin.
	// A key trtc or another plugin already defines is an error naming
	// both.
	DefineOp(d ops.Def) error
	// TrtcVersion is the version of the trtc loading the plugin.
	TrtcVersion() string
}

type pluginRegistrar struct {
	r      *Registry
	origin string
	defs   []ops.Def
}

func (p *pluginRegistrar) Register(c Converter) error { return p.r.Register(c, p.origin) }
func (p *pluginRegistrar) TrtcVersion() string        { return version.Version }

func (p *pluginRegistrar) DefineOp(d ops.Def) error {
	if err := ops.CheckDef(d); err != nil {
		return err
	}
	for _, prev := range p.defs {
		if prev.Key == d.Key {
			return fmt.Errorf("op %s is defined twice by this plugin", d.Key)
		}
	}
	if err := ops.CheckPluginKey(d.Key, p.origin); err != nil {
		return err
	}
	p.defs = append(p.defs, d)
	return nil
}

// PluginError is a plugin that could not be loaded or registered.
type PluginError struct {
	Path string
	Err  error
}

func (e *PluginError) Error() string { return fmt.Sprintf("plugin %s: %v", e.Path, e.Err) }
func (e *PluginError) Unwrap() error { return e.Err }

var otherVersion = regexp.MustCompile(`plugin was built with a different version of package (\S+)`)

// givenPaths maps each loaded plugin's absolute path to the path it was
// first given as (--plugin, config, TRTC_PLUGINS).
var givenPaths sync.Map

// GivenPath returns the path a loaded plugin was given as, or abs.
func GivenPath(abs string) string {
	if p, ok := givenPaths.Load(abs); ok {
		return p.(string)
	}
	return abs
}

// LoadPlugins opens each plugin file and calls its RegisterConverters with
// r. Paths are made absolute (the origin shown in reports) and loaded once
// each, in order.
func LoadPlugins(r *Registry, paths []string) error {
	seen := map[string]bool{}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return &PluginError{p, err}
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		if err := loadPlugin(r, abs); err != nil {
			return err
		}
		givenPaths.LoadOrStore(abs, p)
	}
	return nil
}

func loadPlugin(r *Registry, path string) (err error) {
	// Go's runtime aborts the process (it does not return an error) when
	// asked to open a shared library that is not a Go plugin, or a Go
	// library of another build mode; so the file is checked first.
	if err := preflight(path); err != nil {
		return &PluginError{path, err}
	}
	p, err := plugin.Open(path)
	if err != nil {
		return &PluginError{path, explainOpen(err)}
	}
	sym, err := p.Lookup(PluginSymbol)
	if err != nil {
		return &PluginError{path, fmt.Errorf("it does not export %s; a converter plugin defines `func %s(r conversion.Registrar) error` in package main", PluginSymbol, PluginSymbol)}
	}
	register, ok := sym.(func(Registrar) error)
	if !ok {
		return &PluginError{path, fmt.Errorf("%s has type %T, want func(conversion.Registrar) error", PluginSymbol, sym)}
	}
	// Register into a scratch copy, so a plugin that fails half way leaves
	// the registry as it was.
	scratch := r.Clone()
	defer func() {
		if p := recover(); p != nil {
			err = &PluginError{path, fmt.Errorf("%s panicked: %v", PluginSymbol, p)}
		}
	}()
	reg := &pluginRegistrar{r: scratch, origin: path}
	if err := register(reg); err != nil {
		return &PluginError{path, fmt.Errorf("%s returned an error: %w", PluginSymbol, err)}
	}
	// Op definitions go into the process-wide op table only once the
	// whole registration succeeded; the keys were checked as they came.
	for _, d := range reg.defs {
		if err := ops.RegisterPlugin(d, path); err != nil {
			return &PluginError{path, err}
		}
	}
	*r = *scratch
	return nil
}

// preflight reads the file's Go build information and refuses what
// plugin.Open cannot load safely: a file that is not a Go binary, a Go
// binary that is not a plugin, or one built by another toolchain or with
// other flags than this trtc.
func preflight(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("no such file")
		}
		return err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != "\x7fELF" {
		return errors.New("not a Go plugin: not an ELF shared object")
	}
	info, err := buildinfo.Read(f)
	if err != nil {
		return errors.New("not a Go plugin: a shared library without Go build information (built by a C or C++ toolchain?)")
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if mode := settings["-buildmode"]; mode != "plugin" {
		return fmt.Errorf("not a Go plugin: a Go binary built with -buildmode=%s; build it with -buildmode=plugin (`make plugins`)", mode)
	}
	if info.GoVersion != runtime.Version() {
		return fmt.Errorf("it was built with %s, but this trtc was built with %s; rebuild the plugin with the same toolchain (`make plugins`)", info.GoVersion, runtime.Version())
	}
	if self, ok := debug.ReadBuildInfo(); ok {
		mine := map[string]string{}
		for _, s := range self.Settings {
			mine[s.Key] = s.Value
		}
		for _, key := range []string{"-trimpath", "CGO_ENABLED", "GOARCH", "GOAMD64", "-race"} {
			if settings[key] != mine[key] {
				return fmt.Errorf("it was built with %s=%q, this trtc with %s=%q; build trtc and its plugins with the same flags (`make build plugins`)", key, settings[key], key, mine[key])
			}
		}
	}
	return nil
}

// explainOpen turns plugin.Open's errors into advice.
func explainOpen(err error) error {
	msg := err.Error()
	switch {
	case otherVersion.MatchString(msg):
		pkg := otherVersion.FindStringSubmatch(msg)[1]
		why := "another version of trtc's packages"
		if !strings.HasPrefix(pkg, "github.com/trtc-dev/trtc") {
			why = "another Go toolchain or other dependency versions"
		}
		return fmt.Errorf("it was built against %s (package %s differs from this trtc's); rebuild it from the same trtc source with %s and the same flags (`make plugins`); this is trtc %s",
			why, pkg, runtime.Version(), version.Version)
	case strings.Contains(msg, "not implemented"):
		return errors.New("Go plugins are not supported on this platform or in a trtc built without cgo")
	case strings.Contains(msg, "invalid ELF header"), strings.Contains(msg, "file too short"),
		strings.Contains(msg, "cannot dynamically load"), strings.Contains(msg, "no Go plugin"):
		return fmt.Errorf("not a Go plugin (%s)", strings.TrimSpace(lastPart(msg)))
	case strings.Contains(msg, "No such file"), strings.Contains(msg, "realpath failed"):
		return errors.New("no such file")
	}
	return err
}

func lastPart(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// Identity is what a bundle records about a plugin: the Go build ID the
// toolchain stamped into it (it changes whenever the plugin's code or its
// dependencies change) and the SHA-256 of the file.
type Identity struct {
	BuildID string
	SHA256  []byte
}

// PluginIdentity reads a plugin file's Go build ID (the ELF note
// .note.go.buildid) and hashes the file.
func PluginIdentity(path string) (Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Identity{}, &PluginError{path, err}
	}
	sum := sha256.Sum256(data)
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return Identity{}, &PluginError{path, fmt.Errorf("not an ELF file: %w", err)}
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil {
		return Identity{}, &PluginError{path, errors.New("it has no Go build ID (section .note.go.buildid)")}
	}
	note, err := sec.Data()
	if err != nil {
		return Identity{}, &PluginError{path, fmt.Errorf("reading its Go build ID: %w", err)}
	}
	// An ELF note: namesz, descsz, type (4 bytes each, in the file's byte
	// order), the name "Go\x00\x00" and the description, the build ID.
	if len(note) < 16 {
		return Identity{}, &PluginError{path, errors.New("its Go build ID note is truncated")}
	}
	bo := f.ByteOrder
	namesz, descsz := bo.Uint32(note[0:]), bo.Uint32(note[4:])
	start := 12 + uint64((namesz+3)&^3)
	if namesz != 4 || string(note[12:15]) != "Go\x00" || start+uint64(descsz) > uint64(len(note)) {
		return Identity{}, &PluginError{path, errors.New("its Go build ID note is malformed")}
	}
	return Identity{BuildID: string(note[start : start+uint64(descsz)]), SHA256: sum[:]}, nil
}
