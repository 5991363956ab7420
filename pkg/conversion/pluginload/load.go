// Package pluginload loads converter plugins (Go plugins built with
// -buildmode=plugin that export conversion.PluginSymbol) into a registry.
// It is the only package that imports Go's plugin package: a binary that
// imports it is linked for dynamic loading, with every C symbol bound at
// start-up (-z now) unless the build passes -ldflags=-extldflags=-Wl,-z,lazy,
// which trtc needs for go-nvml (see pkg/device and the Makefile).
package pluginload

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

	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/version"
)

var otherVersion = regexp.MustCompile(`plugin was built with a different version of package (\S+)`)

// Load opens each plugin file and calls its RegisterConverters with
// r. Paths are made absolute (the origin shown in reports) and loaded once
// each, in order.
func Load(r *conversion.Registry, paths []string) error {
	seen := map[string]bool{}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return &conversion.PluginError{Path: p, Err: err}
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		if err := loadPlugin(r, abs, p); err != nil {
			return err
		}
	}
	return nil
}

func loadPlugin(r *conversion.Registry, path, given string) (err error) {
	// Go's runtime aborts the process (it does not return an error) when
	// asked to open a shared library that is not a Go plugin, or a Go
	// library of another build mode; so the file is checked first.
	if err := preflight(path); err != nil {
		return &conversion.PluginError{Path: path, Err: err}
	}
	p, err := plugin.Open(path)
	if err != nil {
		return &conversion.PluginError{Path: path, Err: explainOpen(err)}
	}
	sym, err := p.Lookup(conversion.PluginSymbol)
	if err != nil {
		return &conversion.PluginError{Path: path, Err: fmt.Errorf("it does not export %s; a converter plugin defines `func %s(r conversion.Registrar) error` in package main", conversion.PluginSymbol, conversion.PluginSymbol)}
	}
	register, ok := sym.(func(conversion.Registrar) error)
	if !ok {
		return &conversion.PluginError{Path: path, Err: fmt.Errorf("%s has type %T, want func(conversion.Registrar) error", conversion.PluginSymbol, sym)}
	}
	// Register into a scratch copy, so a plugin that fails half way leaves
	// the registry as it was.
	scratch := r.Clone()
	defer func() {
		if p := recover(); p != nil {
			err = &conversion.PluginError{Path: path, Err: fmt.Errorf("%s panicked: %v", conversion.PluginSymbol, p)}
		}
	}()
	reg := conversion.PluginRegistrar(scratch, path)
	if err := register(reg); err != nil {
		return &conversion.PluginError{Path: path, Err: fmt.Errorf("%s returned an error: %w", conversion.PluginSymbol, err)}
	}
	// Op definitions go into the process-wide op table only once the
	// whole registration succeeded.
	if err := conversion.CommitPlugin(reg, given); err != nil {
		return err
	}
	*r = *scratch
	return nil
}

// preflight reads the file's Go build information and refuses what
// plugin.Open cannot load safely: a file that is not a Go binary, a Go
// binary that is not a plugin, or one built by another toolchain or with
// other flags than this trtc.
func preflight(path string) error {
	f, _, err := safefile.Open(path) // a FIFO or device is refused, not waited on
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
