// Package enginecache keeps built engines on disk so that compiling an
// unchanged model again reuses them instead of building them again.
//
// An entry is two files in the cache directory, named by the entry's key
// (64 hex digits, the sha256 of everything the engine depends on; the
// compiler computes it, see compiler.EngineKey):
//
//	<key>.engine  the serialized engine, as the backend built it
//	<key>.json    Meta: the engine's sha256 and size, build target, layer
//	              count, and what it was built from (for `trtc cache list`)
//
// The engine is written first and the metadata last, each atomically, so an
// entry is complete once its .json exists. Get checks the engine's size and
// sha256 against the metadata; an entry that fails is removed and reported
// as a miss with the reason, so the caller rebuilds it: a corrupted entry is
// never used.
package enginecache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/trtc-dev/trtc/internal/safefile"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/trtc-dev/trtc/internal/atomicfile"
	"github.com/trtc-dev/trtc/pkg/backend"
)

// Cache is a cache directory.
type Cache struct {
	Dir string
}

// DefaultDir is trtc's engine cache under the user's cache directory
// ($XDG_CACHE_HOME/trtc/engines or ~/.cache/trtc/engines on Linux).
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (%v): give --cache-dir", err)
	}
	return filepath.Join(d, "trtc", "engines"), nil
}

// Meta describes an entry.
type Meta struct {
	Key     string         `json:"key"`
	SHA256  string         `json:"sha256"` // of the .engine file, hex
	Size    int64          `json:"size"`
	Layers  int            `json:"layers"`
	Target  backend.Target `json:"target"`
	Model   string         `json:"model"`   // the model it was first built for (informational)
	Segment int            `json:"segment"` // its segment index there
	Created time.Time      `json:"created"`
}

// Entry is a cached engine.
type Entry struct {
	Meta
	Blob []byte
}

// ErrCorrupt is matched by the reason Get gives for an entry that failed
// its checks.
var ErrCorrupt = errors.New("engine cache entry is corrupt")

func validKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	_, err := hex.DecodeString(key)
	return err == nil
}

func (c *Cache) paths(key string) (engine, meta string) {
	return filepath.Join(c.Dir, key+".engine"), filepath.Join(c.Dir, key+".json")
}

// Get returns the entry for key, or nil and why there is none: nil for a
// plain miss, an error wrapping ErrCorrupt for an entry that failed its
// checks (it is removed), another error for an unreadable cache.
func (c *Cache) Get(key string) (*Entry, error) {
	if !validKey(key) {
		return nil, fmt.Errorf("engine cache: malformed key %q", key)
	}
	ep, mp := c.paths(key)
	mdata, err := safefile.ReadFile(mp, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engine cache: %w", err)
	}
	e := &Entry{}
	corrupt := func(format string, args ...any) (*Entry, error) {
		os.Remove(mp)
		os.Remove(ep)
		return nil, fmt.Errorf("%w: %s: %s", ErrCorrupt, key[:16], fmt.Sprintf(format, args...))
	}
	if err := json.Unmarshal(mdata, &e.Meta); err != nil {
		return corrupt("metadata: %v", err)
	}
	if e.Key != key {
		return corrupt("metadata names key %q", e.Key)
	}
	if e.Blob, err = safefile.ReadFile(ep, 0); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return corrupt("engine file missing")
		}
		return nil, fmt.Errorf("engine cache: %w", err)
	}
	if int64(len(e.Blob)) != e.Size {
		return corrupt("engine is %d bytes, metadata says %d", len(e.Blob), e.Size)
	}
	sum := sha256.Sum256(e.Blob)
	if hex.EncodeToString(sum[:]) != e.SHA256 {
		return corrupt("engine sha256 %x does not match %s", sum[:8], e.SHA256)
	}
	return e, nil
}

// Put stores an engine under key.
func (c *Cache) Put(key string, blob []byte, m Meta) error {
	if !validKey(key) {
		return fmt.Errorf("engine cache: malformed key %q", key)
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("engine cache: %w", err)
	}
	ep, mp := c.paths(key)
	sum := sha256.Sum256(blob)
	m.Key, m.SHA256, m.Size = key, hex.EncodeToString(sum[:]), int64(len(blob))
	if m.Created.IsZero() {
		m.Created = time.Now().UTC()
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(ep, blob, 0o644); err != nil {
		return fmt.Errorf("engine cache: %w", err)
	}
	if err := atomicfile.WriteFile(mp, append(data, '\n'), 0o644); err != nil {
		os.Remove(ep)
		return fmt.Errorf("engine cache: %w", err)
	}
	return nil
}

// List returns every complete entry's metadata (without reading engines),
// oldest first. Entries whose metadata does not parse are listed with only
// their key and a zero size.
func (c *Cache) List() ([]Meta, error) {
	ents, err := os.ReadDir(c.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return []Meta{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engine cache: %w", err)
	}
	out := []Meta{}
	for _, de := range ents {
		key, ok := strings.CutSuffix(de.Name(), ".json")
		if !ok || !validKey(key) {
			continue
		}
		var m Meta
		data, err := safefile.ReadFile(filepath.Join(c.Dir, de.Name()), 0)
		if err != nil || json.Unmarshal(data, &m) != nil {
			m = Meta{Key: key}
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// Clear removes every entry (and any file the cache left half-written),
// and returns how many entries and bytes it removed. Files that are not
// the cache's own are left alone.
func (c *Cache) Clear() (entries int, bytes int64, err error) {
	ents, err := os.ReadDir(c.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("engine cache: %w", err)
	}
	for _, de := range ents {
		name := de.Name()
		base := name
		for _, suf := range []string{".engine", ".json"} {
			base = strings.TrimSuffix(base, suf)
		}
		ours := (base != name && validKey(base)) || (strings.HasPrefix(name, ".") && len(name) > 65 && validKey(name[1:65]) && strings.Contains(name[65:], ".tmp"))
		if !ours || de.IsDir() {
			continue
		}
		if info, err := de.Info(); err == nil {
			bytes += info.Size()
		}
		if err := os.Remove(filepath.Join(c.Dir, name)); err != nil {
			return entries, bytes, fmt.Errorf("engine cache: %w", err)
		}
		if strings.HasSuffix(name, ".json") {
			entries++
		}
	}
	return entries, bytes, nil
}
