package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-dev/trtc/converters"
	_ "github.com/trtc-dev/trtc/pkg/backend/reference" // the backend the bundles are built for
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/runtime"
	"github.com/trtc-dev/trtc/pkg/tensorio"
	onnxpb "github.com/trtc-dev/trtc/proto/onnx"
)

// ortProc is the ort.js child process.
type ortProc struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Scanner
	version string
}

func startORT(dir string) (*ortProc, error) {
	mod, err := filepath.Abs(filepath.Join(dir, "node_modules", "onnxruntime-node"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(mod); err != nil {
		return nil, fmt.Errorf("onnxruntime-node is not installed under %s (make bench-compare installs it): %w", dir, err)
	}
	script, err := filepath.Abs(filepath.Join("internal", "tools", "benchcompare", "ort.js"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", script)
	cmd.Env = append(os.Environ(), "ORT_NODE_MODULE="+mod)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting node: %w", err)
	}
	p := &ortProc{cmd: cmd, in: in, out: bufio.NewScanner(outp)}
	p.out.Buffer(make([]byte, 1<<16), 1<<20)
	var hello struct{ Ready string }
	if !p.out.Scan() {
		return nil, errors.New("ort.js exited before it was ready")
	}
	if err := json.Unmarshal(p.out.Bytes(), &hello); err != nil {
		return nil, fmt.Errorf("ort.js: %w", err)
	}
	p.version = hello.Ready
	return p, nil
}

// call sends one command and returns the milliseconds ort.js measured.
func (p *ortProc) call(cmd map[string]any) (float64, error) {
	b, err := json.Marshal(cmd)
	if err != nil {
		return 0, err
	}
	if _, err := p.in.Write(append(b, '\n')); err != nil {
		return 0, err
	}
	if !p.out.Scan() {
		return 0, errors.New("ort.js exited")
	}
	var r struct {
		Ms    float64
		Error string
	}
	if err := json.Unmarshal(p.out.Bytes(), &r); err != nil {
		return 0, err
	}
	if r.Error != "" {
		return 0, errors.New(r.Error)
	}
	return r.Ms, nil
}

func (p *ortProc) close() {
	p.in.Close()
	p.cmd.Wait()
}

// model is one testdata model, compiled and opened by trtc.
type model struct {
	onnx   string
	npy    map[string]string
	prog   *runtime.Program
	inputs map[string]*ir.Tensor
}

func prepareModel(tmp, name string) (*model, error) {
	dir := filepath.Join("testdata", "models", name)
	m := &model{onnx: filepath.Join(dir, "model.onnx"), npy: map[string]string{}, inputs: map[string]*ir.Tensor{}}
	s := &conversion.Settings{MinBlockSize: 5, Backend: "reference"}
	res, err := compiler.CompileFile(m.onnx, compiler.Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		return nil, err
	}
	path := filepath.Join(tmp, name+".trtb")
	if err := compiler.WriteBundle(res, m.onnx, path); err != nil {
		return nil, err
	}
	if m.prog, err = runtime.Open(path); err != nil {
		return nil, err
	}
	npys, _ := filepath.Glob(filepath.Join(dir, "*.npy"))
	for _, in := range m.prog.Inputs {
		f := filepath.Join(dir, in.Name+".npy")
		if _, err := os.Stat(f); err != nil {
			if len(m.prog.Inputs) != 1 || len(npys) != 1 {
				return nil, fmt.Errorf("no input file for %q", in.Name)
			}
			f = npys[0]
		}
		t, err := tensorio.ReadNPY(f)
		if err != nil {
			return nil, err
		}
		if m.npy[in.Name], err = filepath.Abs(f); err != nil {
			return nil, err
		}
		m.inputs[in.Name] = t
	}
	if m.onnx, err = filepath.Abs(m.onnx); err != nil {
		return nil, err
	}
	return m, nil
}

// dryRun is what `trtc compile --dry-run --fallback-ops Sub` does.
func dryRun(path string) error {
	s := &conversion.Settings{MinBlockSize: 5, Backend: "reference", FallbackOps: []string{"Sub"}}
	res, err := compiler.CompileFile(path, compiler.Options{Settings: s, Registry: converters.Builtin()})
	if err != nil {
		return err
	}
	compiler.BuildReport(res).WriteText(io.Discard)
	return nil
}

// writeStack writes pkg/compiler's generated deep stack as ONNX: a chain of
// Mul/Add with a skip Add every 4 nodes and a Sub every 100.
func writeStack(path string, n int) error {
	f32 := int32(onnxpb.TensorProto_FLOAT)
	vi := func(name string, dims ...any) *onnxpb.ValueInfoProto {
		sh := &onnxpb.TensorShapeProto{}
		for _, d := range dims {
			switch d := d.(type) {
			case int:
				sh.Dim = append(sh.Dim, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
			case string:
				sh.Dim = append(sh.Dim, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d}})
			}
		}
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{
			Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(f32), Shape: sh}}}}
	}
	g := &onnxpb.GraphProto{Name: proto.String(fmt.Sprintf("gen%d", n)),
		Input: []*onnxpb.ValueInfoProto{vi("x", "batch", 16)},
		Initializer: []*onnxpb.TensorProto{{Name: proto.String("c"), Dims: []int64{16}, DataType: proto.Int32(f32),
			FloatData: make([]float32, 16)}}}
	prev, skip := "x", "x"
	for i := 0; i < n; i++ {
		out := fmt.Sprintf("v%d", i)
		nd := &onnxpb.NodeProto{Name: proto.String(fmt.Sprintf("n%d", i)), Output: []string{out}}
		switch {
		case i%100 == 99:
			nd.OpType, nd.Input = proto.String("Sub"), []string{prev, "c"}
		case i%4 == 3:
			nd.OpType, nd.Input = proto.String("Add"), []string{prev, skip}
			skip = out
		case i%2 == 0:
			nd.OpType, nd.Input = proto.String("Mul"), []string{prev, "c"}
		default:
			nd.OpType, nd.Input = proto.String("Add"), []string{prev, "c"}
		}
		g.Node = append(g.Node, nd)
		prev = out
	}
	g.Output = []*onnxpb.ValueInfoProto{vi(prev, "batch", 16)}
	m := &onnxpb.ModelProto{IrVersion: proto.Int64(8), ProducerName: proto.String("trtc benchcompare"),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}}, Graph: g}
	b, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ints(s string) []int {
	var out []int
	if strings.TrimSpace(s) == "" {
		return nil // an empty list: that part is skipped
	}
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			fmt.Fprintf(os.Stderr, "bad number %q\n", f)
			os.Exit(2)
		}
		out = append(out, v)
	}
	return out
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ") + " (1/5/15 min)"
}

func cpuName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	name, n := "", 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			n++
			if i := strings.Index(l, ":"); i >= 0 {
				name = strings.TrimSpace(l[i+1:])
			}
		}
	}
	return fmt.Sprintf("%d x %s", n, name)
}
