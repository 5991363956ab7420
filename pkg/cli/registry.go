package cli

import (
	"errors"

	"github.com/rs/zerolog"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/conversion"
)

// PluginLoader loads converter plugins into a registry; cmd/trtc sets it
// to pluginload.Load. It is a variable, not an import, so that only the
// trtc binary imports Go's plugin package: a binary that does is linked to
// bind every C symbol at start-up, which go-nvml's lazily bound NVML
// symbols do not survive unless the link passes
// -ldflags=-extldflags=-Wl,-z,lazy (the Makefile does). Without the import,
// this package's tests and those of packages that run commands in-process
// build and run with a plain `go test`.
var PluginLoader func(r *conversion.Registry, paths []string) error

// errNoPluginLoader is a plugin given to a program that cannot load them.
var errNoPluginLoader = errors.New("this program was built without converter plugin support (cli.PluginLoader is not set)")

// loadRegistry returns the built-in registry plus the given plugins.
func loadRegistry(plugins []string, log zerolog.Logger) (*conversion.Registry, error) {
	reg := converters.Builtin()
	if len(plugins) > 0 {
		if PluginLoader == nil {
			return nil, withCode(ExitPlugin, &conversion.PluginError{Path: plugins[0], Err: errNoPluginLoader})
		}
		if err := PluginLoader(reg, plugins); err != nil {
			return nil, withCode(ExitPlugin, err)
		}
	}
	for _, p := range plugins {
		log.Info().Str("plugin", p).Msg("loaded converter plugin")
	}
	return reg, nil
}
