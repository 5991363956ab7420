package conversion

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"io"
	"os"
	"path/filepath"
	"plugin"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

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
// converters with the plugin's file as their origin.
type Registrar interface {
	// Register adds a converter (see Converter; Origin is set for you).
	Register(c Converter) error
	// TrtcVersion is the version of the trtc loading the plugin.
	TrtcVersion() string
}

type pluginRegistrar struct {
	r      *Registry
	origin string
}

func (p *pluginRegistrar) Register(c Converter) error { return p.r.Register(c, p.origin) }
func (p *pluginRegistrar) TrtcVersion() string        { return version.Version }

// PluginError is a plugin that could not be loaded or registered.
type PluginError struct {
	Path string
	Err  error
}

func (e *PluginError) Error() string { return fmt.Sprintf("plugin %s: %v", e.Path, e.Err) }
func (e *PluginError) Unwrap() error { return e.Err }

var otherVersion = regexp.MustCompile(`plugin was built with a different version of package (\S+)`)

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
	if err := register(&pluginRegistrar{scratch, path}); err != nil {
		return &PluginError{path, fmt.Errorf("%s returned an error: %w", PluginSymbol, err)}
	}
	*r = *scratch
	return nil
}

// preflight reads the file's Go build information and refuses what
// plugin.Open cannot load safely: a file that is not a Go binary, a Go
// binary that is not a plugin, or one built by another toolchain or with
// other flags than this trtc.
func preflight(path string) error {
	f, _, err := safefile.Open(path)
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
