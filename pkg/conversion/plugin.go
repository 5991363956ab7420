package conversion

import (
	"fmt"

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

// PluginRegistrar is the Registrar a plugin loaded from origin (its path)
// receives (package pluginload loads plugins; it is separate so that only
// binaries that load plugins import Go's plugin package, which makes the
// linker bind every symbol at start-up, see pkg/device).
func PluginRegistrar(r *Registry, origin string) Registrar { return &pluginRegistrar{r, origin} }

// PluginError is a plugin that could not be loaded or registered.
type PluginError struct {
	Path string
	Err  error
}

func (e *PluginError) Error() string { return fmt.Sprintf("plugin %s: %v", e.Path, e.Err) }
func (e *PluginError) Unwrap() error { return e.Err }
