package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/pkg/cli"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// Finding 4: every file trtc reads is opened without blocking and checked
// to be a regular file before a byte is read: /dev/zero (directly or through
// a symlink) is refused instead of read without end, and a FIFO is refused
// instead of waited on forever, as a model, an input, a config, external
// data (of a model or of a TensorProto input) and a plugin.
func TestNonRegularFilesRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	zeroLink := filepath.Join(tmp, "zero.onnx")
	if err := os.Symlink("/dev/zero", zeroLink); err != nil {
		t.Fatal(err)
	}
	model := addModel(t, tmp)
	bundle := filepath.Join(tmp, "add.trtb")
	mustTrtc(t, "compile", model, "-o", bundle, "--min-block-size", "1")

	// A model whose initializer's external data is the FIFO.
	extDir := filepath.Join(tmp, "ext")
	os.MkdirAll(extDir, 0o755)
	if err := syscall.Mkfifo(filepath.Join(extDir, "w.bin"), 0o644); err != nil {
		t.Fatal(err)
	}
	ext := func(name string) *onnxpb.TensorProto {
		return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Dims: []int64{2, 3},
			DataLocation: onnxpb.TensorProto_EXTERNAL.Enum(),
			ExternalData: []*onnxpb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("w.bin")}}}
	}
	extModel := writeModel(t, extDir, "model.onnx", []*onnxpb.NodeProto{node("add", "Add", []string{"x", "w"}, []string{"y"})}, ext("w"))
	// A TensorProto input whose data is external, in the FIFO.
	tp, _ := proto.Marshal(ext("x"))
	tpInput := filepath.Join(extDir, "x.pb")
	writeFile(t, tpInput, tp)

	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"model /dev/zero", []string{"compile", "/dev/zero", "-o", filepath.Join(tmp, "o1.trtb")}, cli.ExitInput, []string{"/dev/zero", "character device"}},
		{"model symlink to /dev/zero", []string{"compile", zeroLink, "-o", filepath.Join(tmp, "o2.trtb")}, cli.ExitInput, []string{"zero.onnx", "character device"}},
		{"model FIFO", []string{"compile", fifo, "--format", "onnx", "-o", filepath.Join(tmp, "o3.trtb")}, cli.ExitInput, []string{"fifo", "FIFO"}},
		{"model FIFO pt2", []string{"compile", fifo, "--format", "pt2", "-o", filepath.Join(tmp, "o4.trtb")}, cli.ExitInput, []string{"fifo", "FIFO"}},
		{"model FIFO pb", []string{"compile", fifo, "--format", "pb", "-o", filepath.Join(tmp, "o5.trtb")}, cli.ExitInput, []string{"fifo", "FIFO"}},
		{"external data FIFO", []string{"compile", extModel, "-o", filepath.Join(tmp, "o6.trtb")}, cli.ExitInput, []string{"w.bin", "FIFO"}},
		{"config /dev/zero", []string{"compile", model, "--config", "/dev/zero", "-o", filepath.Join(tmp, "o7.trtb")}, cli.ExitInput, []string{"config", "character device"}},
		{"config FIFO", []string{"compile", model, "--config", fifo, "-o", filepath.Join(tmp, "o8.trtb")}, cli.ExitInput, []string{"config", "FIFO"}},
		{"plugin FIFO", []string{"compile", model, "--plugin", fifo, "-o", filepath.Join(tmp, "o9.trtb")}, cli.ExitPlugin, []string{"fifo", "FIFO"}},
		{"input /dev/zero", []string{"run", bundle, "--input", "/dev/zero", "--output-dir", filepath.Join(tmp, "r1")}, cli.ExitInput, []string{"/dev/zero", "character device"}},
		{"input symlink to /dev/zero", []string{"run", bundle, "--input", zeroLink, "--output-dir", filepath.Join(tmp, "r2")}, cli.ExitInput, []string{"zero.onnx", "character device"}},
		{"input FIFO", []string{"run", bundle, "--input", fifo, "--output-dir", filepath.Join(tmp, "r3")}, cli.ExitInput, []string{"fifo", "FIFO"}},
		{"TensorProto input with FIFO external data", []string{"run", bundle, "--input", tpInput, "--output-dir", filepath.Join(tmp, "r4")}, cli.ExitInput, []string{"w.bin", "FIFO"}},
		{"bundle FIFO", []string{"run", fifo, "--input", tpInput, "--output-dir", filepath.Join(tmp, "r5")}, cli.ExitInput, []string{"fifo", "FIFO"}},
		{"run config FIFO", []string{"run", bundle, "--config", fifo, "--input", tpInput, "--output-dir", filepath.Join(tmp, "r6")}, cli.ExitInput, []string{"config", "FIFO"}},
		{"inspect FIFO", []string{"inspect", fifo}, cli.ExitInput, []string{"fifo"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runBinary(t, 2<<30, 20*time.Second, c.args...)
			noPanic(t, r)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d: %s", r.code, c.code, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("message lacks %q: %s", w, r.stderr)
				}
			}
		})
	}
}
