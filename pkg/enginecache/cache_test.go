package enginecache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/backend"
)

const key1 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
const key2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

func TestPutGetListClear(t *testing.T) {
	c := &Cache{Dir: filepath.Join(t.TempDir(), "engines")}
	if e, err := c.Get(key1); e != nil || err != nil {
		t.Fatalf("empty cache: %v %v", e, err)
	}
	if l, err := c.List(); err != nil || len(l) != 0 {
		t.Fatalf("List of a missing dir: %v %v", l, err)
	}
	tgt := backend.Target{Backend: "reference", Version: "1"}
	if err := c.Put(key1, []byte("engine one"), Meta{Layers: 3, Target: tgt, Model: "m.onnx", Segment: 2}); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(key2, []byte("engine two!"), Meta{Layers: 4, Target: tgt}); err != nil {
		t.Fatal(err)
	}
	e, err := c.Get(key1)
	if err != nil || e == nil || string(e.Blob) != "engine one" || e.Layers != 3 || e.Target.Backend != "reference" || e.Target.Version != "1" || e.Segment != 2 || e.Size != 10 {
		t.Fatalf("Get: %+v %v", e, err)
	}
	l, err := c.List()
	if err != nil || len(l) != 2 || l[0].Key != key1 || l[1].Key != key2 || l[1].Size != 11 {
		t.Fatalf("List: %+v %v", l, err)
	}
	os.WriteFile(filepath.Join(c.Dir, "README"), []byte("not ours"), 0o644)
	n, bytes, err := c.Clear()
	if err != nil || n != 2 || bytes < 21 {
		t.Fatalf("Clear: %d %d %v", n, bytes, err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "README")); err != nil {
		t.Errorf("Clear removed a file that is not the cache's: %v", err)
	}
	if l, _ := c.List(); len(l) != 0 {
		t.Errorf("after Clear: %+v", l)
	}
}

// An entry that fails any check is reported, removed and never returned.
func TestCorruptEntries(t *testing.T) {
	for name, damage := range map[string]func(engine, meta string){
		"flipped byte": func(e, _ string) { b, _ := os.ReadFile(e); b[3] ^= 1; os.WriteFile(e, b, 0o644) },
		"truncated":    func(e, _ string) { os.Truncate(e, 4) },
		"engine gone":  func(e, _ string) { os.Remove(e) },
		"bad metadata": func(_, m string) { os.WriteFile(m, []byte("{"), 0o644) },
		"other key": func(_, m string) {
			b, _ := os.ReadFile(m)
			os.WriteFile(m, []byte(strings.Replace(string(b), key1, key2, 1)), 0o644)
		},
		"appended data": func(e, _ string) { f, _ := os.OpenFile(e, os.O_APPEND|os.O_WRONLY, 0); f.Write([]byte("x")); f.Close() },
	} {
		t.Run(name, func(t *testing.T) {
			c := &Cache{Dir: t.TempDir()}
			if err := c.Put(key1, []byte("a serialized engine"), Meta{}); err != nil {
				t.Fatal(err)
			}
			ep, mp := c.paths(key1)
			damage(ep, mp)
			e, err := c.Get(key1)
			if e != nil || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Get = %v, %v; want ErrCorrupt", e, err)
			}
			if _, err := os.Stat(mp); !os.IsNotExist(err) {
				t.Errorf("corrupt entry's metadata was kept")
			}
			if e, err := c.Get(key1); e != nil || err != nil {
				t.Errorf("second Get = %v, %v; want a plain miss", e, err)
			}
		})
	}
}

func TestBadKeys(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	for _, k := range []string{"", "../../etc/passwd", strings.Repeat("g", 64), key1[:63]} {
		if _, err := c.Get(k); err == nil {
			t.Errorf("Get(%q) accepted", k)
		}
		if err := c.Put(k, nil, Meta{}); err == nil {
			t.Errorf("Put(%q) accepted", k)
		}
	}
}
