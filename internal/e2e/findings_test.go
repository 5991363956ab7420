package e2e

import (
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/pkg/cli"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// compileBoth runs compile and compile --dry-run through the binary and
// checks that both give code and name the problem.
func compileBoth(t *testing.T, model string, code int, want ...string) {
	t.Helper()
	for _, dry := range []bool{false, true} {
		out := model + ".trtb"
		args := []string{"compile", model, "-o", out, "--min-block-size", "1"}
		if dry {
			args = append(args, "--dry-run")
		}
		r := runBinary(t, 0, time.Minute, args...)
		noPanic(t, r)
		if r.code != code {
			t.Errorf("dry-run %v: exit %d, want %d: %s", dry, r.code, code, r.stderr)
			continue
		}
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("dry-run %v: message lacks %q: %s", dry, w, r.stderr)
			}
		}
		noFile(t, out)
	}
}

// Finding 6: malformed graphs are refused before partitioning, by compile
// and --dry-run alike, with exit 3 (the bundle writer used to be the first
// to notice: exit 6, and --dry-run passed).
func TestMalformedGraphsFailDryRunToo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tmp := t.TempDir()
	f32 := onnxpb.TensorProto_FLOAT
	x := []*onnxpb.ValueInfoProto{valueInfo("x", f32, 2, 3)}
	add := []*onnxpb.NodeProto{node("add", "Add", []string{"x", "x"}, []string{"y"})}
	cases := []struct {
		name  string
		model string
		want  []string
	}{
		{"no outputs", graphModel(t, filepath.Join(tmp, "noout.onnx"), x, nil, add), []string{"no outputs"}},
		{"invalid UTF-8 output name", graphModel(t, filepath.Join(tmp, "utf8.onnx"), x, []*onnxpb.ValueInfoProto{dynOut("y\xff", f32)},
			[]*onnxpb.NodeProto{node("add", "Add", []string{"x", "x"}, []string{"y\xff"})}), []string{"UTF-8"}},
		{"invalid UTF-8 node name", graphModel(t, filepath.Join(tmp, "utf8n.onnx"), x, []*onnxpb.ValueInfoProto{dynOut("y", f32)},
			[]*onnxpb.NodeProto{node("a\xc3(", "Add", []string{"x", "x"}, []string{"y"})}), []string{"UTF-8"}},
		{"duplicate graph outputs", graphModel(t, filepath.Join(tmp, "dup.onnx"), x, []*onnxpb.ValueInfoProto{dynOut("y", f32), dynOut("y", f32)}, add),
			[]string{`"y"`, "twice"}},
		{"constant dims too large", graphModel(t, filepath.Join(tmp, "bigconst.onnx"), x, []*onnxpb.ValueInfoProto{dynOut("y", f32), dynOut("z", f32)},
			[]*onnxpb.NodeProto{
				withAttrs(node("c", "ConstantOfShape", []string{"s"}, []string{"y"})),
				node("id", "Identity", []string{"x"}, []string{"z"})}, i64Init("s", 1<<62, 1<<62)), []string{`"y"`, "overflows"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { compileBoth(t, c.model, cli.ExitInput, c.want...) })
	}
}

// Finding 7: what `run` would refuse for shape reasons is refused at
// compile: Resize scales that are not finite positive numbers, or that make
// dims past int64, and Split with negative sizes.
func TestCompileRefusesWhatRunWould(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tmp := t.TempDir()
	f32 := onnxpb.TensorProto_FLOAT
	x4 := []*onnxpb.ValueInfoProto{valueInfo("x", f32, 1, 1, 2, 3)}
	y := []*onnxpb.ValueInfoProto{dynOut("y", f32)}
	resize := func(name string, s float32) string {
		return graphModel(t, filepath.Join(tmp, name+".onnx"), x4, y,
			[]*onnxpb.NodeProto{node("up", "Resize", []string{"x", "", "sc"}, []string{"y"})}, f32Init("sc", []int64{4}, 1, 1, s, 2))
	}
	split := graphModel(t, filepath.Join(tmp, "split.onnx"), []*onnxpb.ValueInfoProto{valueInfo("x", f32, 2, 3)},
		[]*onnxpb.ValueInfoProto{dynOut("y", f32), dynOut("z", f32)},
		[]*onnxpb.NodeProto{withAttrs(node("cut", "Split", []string{"x", "sp"}, []string{"y", "z"}), attrInt("axis", 1))}, i64Init("sp", -1, 4))
	for _, c := range []struct {
		name, model string
		want        []string
	}{
		{"Resize scale inf", resize("inf", float32(math.Inf(1))), []string{"up", "scale"}},
		{"Resize scale NaN", resize("nan", float32(math.NaN())), []string{"up", "scale"}},
		{"Resize scale 1e30", resize("big", 1e30), []string{"up"}},
		{"Resize scale -2", resize("neg", -2), []string{"up", "scale"}},
		{"Split negative sizes", split, []string{"cut", "-1"}},
	} {
		t.Run(c.name, func(t *testing.T) { compileBoth(t, c.model, cli.ExitInput, c.want...) })
	}
}

// Finding 8: a panic anywhere is reported as an internal error with where
// it happened, exit 1, not Go's goroutine dump and exit 2. No input is
// known to panic trtc any more, so the test registers an op whose shape
// inference panics and runs the command line in-process (the same Main the
// binary runs); the out-of-memory deaths of the finding are covered by
// TestMemoryBombsUnderAddressSpaceCap through the binary.
func TestPanicIsInternalError(t *testing.T) {
	ops.Register(ops.Op{Key: "onnx.TrtcTestPanics",
		Infer: func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error) { panic("deliberate test panic") },
		Run:   func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error) { panic("deliberate test panic") }})
	tmp := t.TempDir()
	model := writeModel(t, tmp, "p.onnx", []*onnxpb.NodeProto{node("boom", "TrtcTestPanics", []string{"x"}, []string{"y"})})
	code, _, stderr := trtc(t, "compile", model, "-o", filepath.Join(tmp, "p.trtb"))
	if code != cli.ExitInternal {
		t.Fatalf("exit %d, want %d: %s", code, cli.ExitInternal, stderr)
	}
	for _, w := range []string{"internal error", "deliberate test panic", "findings_test.go", "please report"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("message lacks %q: %s", w, stderr)
		}
	}
	if strings.Contains(stderr, "goroutine ") {
		t.Errorf("goroutine dump: %s", stderr)
	}
}

// Finding 9: -o, --report and run's outputs refuse devices, FIFOs and
// sockets (and leave them as they were); a symbolic link is followed (the
// file it names is replaced, the link stays); a dangling link is refused.
func TestOutputTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tmp := t.TempDir()
	model := addModel(t, tmp)
	fifo := filepath.Join(tmp, "fifo.trtb")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sock := filepath.Join(tmp, "s.trtb")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer l.Close()
	// A character device of our own (the numbers of /dev/null), never
	// /dev/null itself: a trtc with this bug would replace it for the whole
	// machine.
	dev := filepath.Join(tmp, "dev.trtb")
	haveDev := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3) == nil
	real := filepath.Join(tmp, "real.trtb")
	writeFile(t, real, []byte("old"))
	link := filepath.Join(tmp, "link.trtb")
	os.Symlink(real, link)
	dangling := filepath.Join(tmp, "dangling.trtb")
	os.Symlink(filepath.Join(tmp, "nowhere", "x.trtb"), dangling)

	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"-o character device", []string{"-o", dev}, "character device"},
		{"-o FIFO", []string{"-o", fifo}, "FIFO"},
		{"-o socket", []string{"-o", sock}, "socket"},
		{"-o folder", []string{"-o", tmp}, "directory"},
		{"-o dangling link", []string{"-o", dangling}, "does not resolve"},
		{"--report FIFO", []string{"-o", filepath.Join(tmp, "ok.trtb"), "--report", fifo}, "FIFO"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.want == "character device" && !haveDev {
				t.Skip("cannot make a device node here (not root)")
			}
			r := runBinary(t, 0, 30*time.Second, append([]string{"compile", model, "--min-block-size", "1"}, c.args...)...)
			if r.code != cli.ExitUsage || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, want %d and %q: %s", r.code, cli.ExitUsage, c.want, r.stderr)
			}
		})
	}
	for _, p := range []string{fifo, sock, dev} {
		if p == dev && !haveDev {
			continue
		}
		if st, err := os.Lstat(p); err != nil || st.Mode().IsRegular() {
			t.Errorf("%s was replaced", p)
		}
	}
	noFile(t, filepath.Join(tmp, "ok.trtb"))
	// A link to a regular file is followed.
	if r := runBinary(t, 0, 30*time.Second, "compile", model, "--min-block-size", "1", "-o", link); r.code != 0 {
		t.Fatalf("-o link: exit %d: %s", r.code, r.stderr)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if data, _ := os.ReadFile(real); string(data) == "old" {
		t.Error("the file the link names was not replaced")
	}
	// run: an output file that is a FIFO is refused before running.
	outDir := filepath.Join(tmp, "out")
	os.MkdirAll(outDir, 0o755)
	syscall.Mkfifo(filepath.Join(outDir, "y.npy"), 0o644)
	x := writeNPY(t, filepath.Join(tmp, "x.npy"), ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6}))
	r := runBinary(t, 0, 30*time.Second, "run", real, "--input", x, "--output-dir", outDir)
	if r.code != cli.ExitUsage || !strings.Contains(r.stderr, "FIFO") {
		t.Fatalf("run to a FIFO output: exit %d: %s", r.code, r.stderr)
	}
	r = runBinary(t, 0, 30*time.Second, "run", real, "--input", x, "--output-dir", x)
	if r.code != cli.ExitUsage || !strings.Contains(r.stderr, "not a directory") {
		t.Fatalf("run with a file as --output-dir: exit %d: %s", r.code, r.stderr)
	}
}

// Finding 10, each item.
func TestSmallFindings(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tmp := t.TempDir()
	model := addModel(t, tmp)
	bundle := filepath.Join(tmp, "add.trtb")
	mustTrtc(t, "compile", model, "-o", bundle, "--min-block-size", "1")
	x := writeNPY(t, filepath.Join(tmp, "x.npy"), ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{1, 2, 3, 4, 5, 6}))
	expect := filepath.Join(tmp, "expect")
	os.MkdirAll(expect, 0o755)
	writeNPY(t, filepath.Join(expect, "y.npy"), ir.FromSlice(ir.Float32, []int64{2, 3}, []float32{100, 100, 100, 100, 100, 100}))

	t.Run("tolerances", func(t *testing.T) {
		for _, tol := range [][]string{{"--atol", "NaN"}, {"--atol", "-1"}, {"--rtol", "NaN"}, {"--rtol", "-0.5"}, {"--atol", "+Inf"}} {
			r := runBinary(t, 0, 30*time.Second, append([]string{"run", bundle, "--input", x, "--output-dir", filepath.Join(tmp, "o"), "--expect", expect}, tol...)...)
			if r.code != cli.ExitUsage || !strings.Contains(r.stderr, tol[0]) {
				t.Errorf("%v: exit %d, want %d: %s", tol, r.code, cli.ExitUsage, r.stderr)
			}
		}
	})
	t.Run("external data length -40", func(t *testing.T) {
		dir := filepath.Join(tmp, "ext")
		os.MkdirAll(dir, 0o755)
		writeFile(t, filepath.Join(dir, "w.bin"), make([]byte, 64))
		w := &onnxpb.TensorProto{Name: proto.String("w"), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Dims: []int64{2, 3},
			DataLocation: onnxpb.TensorProto_EXTERNAL.Enum(),
			ExternalData: []*onnxpb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("w.bin")},
				{Key: proto.String("offset"), Value: proto.String("40")}, {Key: proto.String("length"), Value: proto.String("-40")}}}
		m := writeModel(t, dir, "m.onnx", []*onnxpb.NodeProto{node("add", "Add", []string{"x", "w"}, []string{"y"})}, w)
		r := runBinary(t, 0, 30*time.Second, "compile", m, "-o", filepath.Join(dir, "m.trtb"))
		if r.code != cli.ExitInput || !strings.Contains(r.stderr, "length") || !strings.Contains(r.stderr, "-40") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
	})
	t.Run("cycle names unnamed nodes", func(t *testing.T) {
		m := writeModel(t, tmp, "cycle.onnx", []*onnxpb.NodeProto{
			node("", "Add", []string{"x", "c"}, []string{"a"}),
			node("", "Mul", []string{"a", "x"}, []string{"c"}),
			node("out", "Add", []string{"c", "x"}, []string{"y"})})
		r := runBinary(t, 0, 30*time.Second, "compile", m, "-o", filepath.Join(tmp, "cycle.trtb"))
		if r.code != cli.ExitInput || !strings.Contains(r.stderr, "unnamed node 0 (onnx.Add)") || !strings.Contains(r.stderr, "unnamed node 1 (onnx.Mul)") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
	})
	t.Run("bundle without inputs runs", func(t *testing.T) {
		m := graphModel(t, filepath.Join(tmp, "noin.onnx"), nil, []*onnxpb.ValueInfoProto{dynOut("y", onnxpb.TensorProto_FLOAT)},
			[]*onnxpb.NodeProto{node("c", "ConstantOfShape", []string{"s"}, []string{"c"}), node("r", "Relu", []string{"c"}, []string{"y"})}, i64Init("s", 2, 2))
		b := filepath.Join(tmp, "noin.trtb")
		if r := runBinary(t, 0, 30*time.Second, "compile", m, "-o", b, "--min-block-size", "1"); r.code != 0 {
			t.Fatalf("compile: exit %d: %s", r.code, r.stderr)
		}
		out := filepath.Join(tmp, "noin_out")
		if r := runBinary(t, 0, 30*time.Second, "run", b, "--output-dir", out); r.code != 0 {
			t.Fatalf("run: exit %d: %s", r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(out, "y.npy")); err != nil {
			t.Error(err)
		}
	})
	t.Run("report write failure leaves no bundle", func(t *testing.T) {
		b := filepath.Join(tmp, "rep.trtb")
		r := runBinary(t, 0, 30*time.Second, "compile", model, "-o", b, "--min-block-size", "1", "--report", filepath.Join(tmp, "no", "such", "dir", "r.json"))
		if r.code != cli.ExitInput || !strings.Contains(r.stderr, "--report") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		noFile(t, b)
	})
}

// The memory budget comes from --max-memory, the config's max-memory or
// TRTC_MAX_MEMORY, and a tensor over it stops trtc with exit 11.
func TestMaxMemorySources(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tmp := t.TempDir()
	model := filepath.Join(modelDir("cnn_resnet"), "model.onnx")
	cfg := filepath.Join(tmp, "trtc.yaml")
	writeFile(t, cfg, []byte("max-memory: 1MiB\n"))
	for name, args := range map[string][]string{
		"flag":   {"--max-memory", "1MiB"},
		"config": {"--config", cfg},
		"env":    nil,
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(tmp, name+".trtb")
			cmd := append([]string{"compile", model, "-o", out}, args...)
			var r result
			if name == "env" {
				t.Setenv("TRTC_MAX_MEMORY", "1MiB")
			}
			r = runBinary(t, 0, time.Minute, cmd...)
			if r.code != cli.ExitMemory || !strings.Contains(r.stderr, "memory budget of 1.0 MiB") {
				t.Errorf("exit %d: %s", r.code, r.stderr)
			}
			noFile(t, out)
		})
	}
}
