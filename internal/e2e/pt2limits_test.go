package e2e

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trtc-dev/trtc/pkg/cli"
)

// biasMeta is the tensor_meta of linear.bias in testdata/pt2/gelu_tanh.
const biasMeta = `"sizes": [{"as_int": 8}], "requires_grad": true, "device": {"type": "cpu", "index": null}, "strides": [{"as_int": 1}], "storage_offset": {"as_int": 0}`

// Finding 5: the .pt2 weight reader checks the strided view's extent inside
// its storage file with checked arithmetic before reading: offsets, strides
// and sizes near 2^63 are errors naming the weight, never a panic or a
// silent read of the wrong bytes.
func TestPT2HostileWeightMeta(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	src := filepath.Join(pt2Dir("gelu_tanh"), "model.pt2")
	cases := []struct{ name, meta, want string }{
		{"storage_offset 2^61", `"sizes": [{"as_int": 8}], "strides": [{"as_int": 1}], "storage_offset": {"as_int": 2305843009213693952}`, "overflows"},
		{"storage_offset INT64_MAX", `"sizes": [{"as_int": 8}], "strides": [{"as_int": 1}], "storage_offset": {"as_int": 9223372036854775807}`, "overflows"},
		{"stride 2^57+1", `"sizes": [{"as_int": 8}], "strides": [{"as_int": 144115188075855873}], "storage_offset": {"as_int": 0}`, "needs"},
		{"stride 2^62", `"sizes": [{"as_int": 8}], "strides": [{"as_int": 4611686018427387904}], "storage_offset": {"as_int": 0}`, "overflows"},
		{"size INT64_MAX", `"sizes": [{"as_int": 9223372036854775807}], "strides": [{"as_int": 1}], "storage_offset": {"as_int": 0}`, "overflows"},
		{"sizes 2^32 x 2^32", `"sizes": [{"as_int": 4294967296}, {"as_int": 4294967296}], "strides": [{"as_int": 0}, {"as_int": 0}], "storage_offset": {"as_int": 0}`, "linear.bias"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			bad := filepath.Join(tmp, "bad.pt2")
			rewriteZip(t, src, bad, func(name string, data []byte) []byte {
				if strings.HasSuffix(name, "model_weights_config.json") {
					out := bytes.Replace(data, []byte(biasMeta), []byte(c.meta), 1)
					if bytes.Equal(out, data) {
						t.Fatal("linear.bias meta not found")
					}
					return out
				}
				return data
			})
			out := filepath.Join(tmp, "bad.trtb")
			r := runBinary(t, 2<<30, 30*time.Second, "compile", bad, "-o", out)
			noPanic(t, r)
			if r.code != cli.ExitInput && r.code != cli.ExitMemory {
				t.Fatalf("exit %d, want %d or %d: %s", r.code, cli.ExitInput, cli.ExitMemory, r.stderr)
			}
			for _, w := range []string{"linear.bias", c.want, "bad.pt2"} {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("message lacks %q: %s", w, r.stderr)
				}
			}
			noFile(t, out)
		})
	}
}

// forgedZip copies src, replacing entry `target` with a raw deflate stream
// of data whose header declares `declared` uncompressed bytes.
func forgedZip(t *testing.T, src, dst, target string, data []byte, declared uint64) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, target) {
			var comp bytes.Buffer
			fw, _ := flate.NewWriter(&comp, flate.BestCompression)
			fw.Write(data)
			fw.Close()
			w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(data),
				CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(comp.Bytes())
			continue
		}
		r, _ := f.Open()
		content, _ := io.ReadAll(r)
		r.Close()
		w, _ := zw.Create(f.Name)
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Finding 5, zip limits: an entry is inflated only after its declared size
// passes the limit for its kind, the archive's total budget and a ratio
// check against its compressed size; an entry that inflates past its
// declared size is an error. Each case ends quickly with exit 3.
func TestPT2ZipBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	src := filepath.Join(pt2Dir("gelu_tanh"), "model.pt2")
	zeros := make([]byte, 64<<20) // deflates to ~64 KiB
	cases := []struct {
		name, target string
		data         []byte
		declared     uint64
		want         string
	}{
		{"archive_format declaring 4 GiB", "archive_format", []byte("pt2"), 4 << 30, "over the limit"},
		{"weight declaring 1 TiB from a few bytes", "weight_0", make([]byte, 256), 1 << 40, "over the limit"},
		{"weight declaring 600 MiB from a few bytes", "weight_0", make([]byte, 256), 600 << 20, "ratio"},
		{"weight that inflates past its declared size", "weight_0", zeros, 256, "more than its declared"},
		{"JSON config declaring 2 GiB", "model_weights_config.json", []byte("{}"), 2 << 30, "over the limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			bad := filepath.Join(tmp, "bomb.pt2")
			forgedZip(t, src, bad, c.target, c.data, c.declared)
			out := filepath.Join(tmp, "bomb.trtb")
			r := runBinary(t, 2<<30, 30*time.Second, "compile", bad, "-o", out, "--max-memory", "1GiB")
			noPanic(t, r)
			if r.code != cli.ExitInput {
				t.Fatalf("exit %d, want %d: %s", r.code, cli.ExitInput, r.stderr)
			}
			if !strings.Contains(r.stderr, c.want) || !strings.Contains(r.stderr, c.target) {
				t.Errorf("message lacks %q or %q: %s", c.want, c.target, r.stderr)
			}
			if r.elapsed > 10*time.Second {
				t.Errorf("took %v", r.elapsed)
			}
			checkPeak(t, r, 2<<30)
			noFile(t, out)
		})
	}
}
