package conversion

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"slices"
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
	// DeclareTRTPlugin declares a TensorRT plugin creator (see
	// TRTPluginCreator): ONNX nodes of a custom domain whose op type is its
	// name convert to its plugin layer (onnx-tensorrt's fallback plugin
	// importer), computed on the CPU by its CPUOp, which must be built in
	// or defined by this plugin. The same creator declared by two plugins
	// is an error naming both.
	DeclareTRTPlugin(c TRTPluginCreator) error
	// TrtcVersion is the version of the trtc loading the plugin.
	TrtcVersion() string
}

type pluginRegistrar struct {
	r        *Registry
	origin   string
	defs     []ops.Def
	creators []TRTPluginCreator
}

func (p *pluginRegistrar) DeclareTRTPlugin(c TRTPluginCreator) error {
	if err := checkCreator(c); err != nil {
		return err
	}
	_, builtin := ops.Lookup(c.CPUOp)
	if !builtin && !slices.ContainsFunc(p.defs, func(d ops.Def) bool { return d.Key == c.CPUOp }) {
		return fmt.Errorf("%v: CPUOp %s is neither built in nor defined by this plugin (DefineOp it first)", c, c.CPUOp)
	}
	for _, prev := range p.creators {
		if prev.key() == c.key() {
			return fmt.Errorf("%v is declared twice by this plugin", c)
		}
	}
	if err := p.r.Register(pluginLayerConverter(c), p.origin); err != nil {
		return err
	}
	p.creators = append(p.creators, c)
	return nil
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

// PluginRegistrar is the Registrar a plugin loaded from origin (its path)
// receives (package pluginload loads plugins; it is separate so that only
// binaries that load plugins import Go's plugin package, which makes the
// linker bind every symbol at start-up, see pkg/device). Its op
// definitions take effect with CommitPlugin, once the plugin's
// registration succeeded.
func PluginRegistrar(r *Registry, origin string) Registrar {
	return &pluginRegistrar{r: r, origin: origin}
}

// CommitPlugin puts the op definitions a plugin made through reg (from
// PluginRegistrar) into the process-wide op table, and remembers the path
// the plugin was given as. The keys were checked as they came.
func CommitPlugin(reg Registrar, given string) error {
	p, ok := reg.(*pluginRegistrar)
	if !ok {
		return fmt.Errorf("CommitPlugin: not a plugin registrar")
	}
	for _, d := range p.defs {
		if err := ops.RegisterPlugin(d, p.origin); err != nil {
			return &PluginError{p.origin, err}
		}
	}
	for _, c := range p.creators {
		if err := commitCreator(c, p.origin); err != nil {
			return &PluginError{p.origin, err}
		}
	}
	givenPaths.LoadOrStore(p.origin, given)
	return nil
}

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

// PluginError is a plugin that could not be loaded or registered.
type PluginError struct {
	Path string
	Err  error
}

func (e *PluginError) Error() string { return fmt.Sprintf("plugin %s: %v", e.Path, e.Err) }
func (e *PluginError) Unwrap() error { return e.Err }

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
