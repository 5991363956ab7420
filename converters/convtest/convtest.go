// Package convtest checks converters numerically, as Torch-TensorRT's
// DispatchTestCase does against PyTorch: a one-node graph is converted with
// the registry, built and run by the reference backend, and compared with the
// node's CPU fallback kernel on the same (random) inputs. Dynamic cases give
// the graph symbolic dims and run with concrete ones.
package convtest

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/backend/reference"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ir"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/tensorio"
)

// Input describes one node input.
type Input struct {
	DType ir.DType
	// Shape is the graph's shape; symbolic dims make the case dynamic.
	Shape ir.Shape
	// RunShape is the concrete shape at run time; defaults to Shape.
	RunShape []int64
	// Data fixes the values; otherwise they are random in [Lo, Hi)
	// (default [-2, 2) for floats, [0, 5) for integers).
	Data   *ir.Tensor
	Lo, Hi float64
	// Const makes the input a graph constant (an initializer).
	Const bool
	// Absent leaves an optional input out ("").
	Absent bool
}

// Case is one converter check.
type Case struct {
	Op         string // "onnx.Add"
	Attrs      map[string]ir.Attr
	Inputs     []Input
	NumOutputs int   // default 1
	Opset      int64 // default 20
	Atol, Rtol float64
	Seed       int64
	Registry   *conversion.Registry // default converters.Builtin()
	Settings   *conversion.Settings
}

// Result is what a case produced.
type Result struct {
	Converter *conversion.Converter
	Engine    []*ir.Tensor
	Fallback  []*ir.Tensor
	Layers    int
	// Types are the engine's layers' TensorRT LayerTypes, in order
	// (reference.Describe), so a test can tell a fused layer from its
	// decomposition.
	Types []string
	// ShapeInputs are the engine inputs the network uses as shape tensors
	// (sorted); the engine was built with their run values as the
	// profile's min, opt and max, as TensorRT needs values for them.
	ShapeInputs []string
}

// Build runs a case and returns both results without comparing them.
func Build(c Case) (*Result, error) {
	if c.NumOutputs == 0 {
		c.NumOutputs = 1
	}
	if c.Opset == 0 {
		c.Opset = 20
	}
	if c.Registry == nil {
		c.Registry = converters.Builtin()
	}
	rng := rand.New(rand.NewSource(c.Seed + 1))
	g := ir.NewGraph("convtest", "onnx")
	g.Opsets[""] = c.Opset
	n := &ir.Node{Name: "node", Op: c.Op, Attrs: c.Attrs}
	if n.Attrs == nil {
		n.Attrs = map[string]ir.Attr{}
	}
	runIn := map[string]*ir.Tensor{}
	var fbIn []*ir.Tensor
	var segIn []string
	for i, in := range c.Inputs {
		if in.Absent {
			n.Inputs = append(n.Inputs, "")
			fbIn = append(fbIn, nil)
			continue
		}
		name := fmt.Sprintf("in%d", i)
		n.Inputs = append(n.Inputs, name)
		data := in.Data
		if data == nil {
			dims := in.RunShape
			if dims == nil {
				var ok bool
				if dims, ok = in.Shape.Ints(); !ok {
					return nil, fmt.Errorf("input %d: dynamic shape %v needs RunShape", i, in.Shape)
				}
			}
			data = Random(rng, in.DType, dims, in.Lo, in.Hi)
		}
		shape := in.Shape
		if shape == nil {
			shape = ir.S(data.Shape...)
		}
		v := &ir.Value{Name: name, DType: data.DType, Shape: shape}
		if in.Const {
			v.Const = data
			v.Shape = ir.S(data.Shape...)
		} else {
			g.Inputs = append(g.Inputs, name)
			runIn[name] = data
			segIn = append(segIn, name)
		}
		g.Values[name] = v
		fbIn = append(fbIn, data)
	}
	for i := 0; i < c.NumOutputs; i++ {
		name := fmt.Sprintf("out%d", i)
		n.Outputs = append(n.Outputs, name)
		g.Outputs = append(g.Outputs, name)
	}
	g.Nodes = []*ir.Node{n}
	if _, err := ops.Propagate(g, false); err != nil {
		return nil, fmt.Errorf("inference: %w", err)
	}
	cn := conversion.NewNode(g, n)
	d := c.Registry.Decide(cn, c.Settings)
	if d.Converter == nil {
		return nil, fmt.Errorf("no converter accepted %s: %v", c.Op, d.Reasons())
	}
	net := reference.NewNetwork()
	// The rules of the release the converters build for (Settings.Target).
	net.SetTargetVersion(c.Settings.Target())
	seg := conversion.Segment{Nodes: []*ir.Node{n}, Converters: []*conversion.Converter{d.Converter}, Inputs: segIn, Outputs: n.Outputs, Registry: c.Registry}
	if err := conversion.ConvertSegment(net, g, c.Settings, seg); err != nil {
		return nil, err
	}
	// Shape-tensor inputs need values in a profile, and a profile names
	// every dynamic input: the run's own shapes and values.
	var profiles []backend.Profile
	shapeIns := ir.SortedKeys(net.ShapeInputs())
	if len(shapeIns) > 0 {
		p := backend.Profile{Min: map[string][]int64{}, Opt: map[string][]int64{}, Max: map[string][]int64{},
			MinValues: map[string][]int64{}, OptValues: map[string][]int64{}, MaxValues: map[string][]int64{}}
		for _, name := range segIn {
			t := runIn[name]
			p.Min[name], p.Opt[name], p.Max[name] = t.Shape, t.Shape, t.Shape
		}
		for _, name := range shapeIns {
			v := runIn[name].Ints()
			p.MinValues[name], p.OptValues[name], p.MaxValues[name] = v, v, v
		}
		profiles = []backend.Profile{p}
	}
	blob, err := net.SerializeWith(profiles)
	if err != nil {
		return nil, err
	}
	eng, err := reference.Load(blob)
	if err != nil {
		return nil, err
	}
	outs, err := eng.Run(runIn)
	if err != nil {
		return nil, fmt.Errorf("engine run: %w", err)
	}
	fb, err := ops.Execute(n, fbIn)
	if err != nil {
		return nil, fmt.Errorf("fallback run: %w", err)
	}
	tested.Store(d.Converter.Name, true)
	r := &Result{Converter: d.Converter, Fallback: fb[:c.NumOutputs], Layers: net.NumLayers(), ShapeInputs: shapeIns}
	layers, err := reference.Describe(blob)
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		r.Types = append(r.Types, l.Type)
	}
	for _, name := range n.Outputs {
		r.Engine = append(r.Engine, outs[name])
	}
	return r, nil
}

// Run builds a case and fails t unless the engine matches the fallback
// kernel in dtype, shape and values (within Atol/Rtol; default 1e-5/1e-4).
func Run(t testing.TB, c Case) *Result {
	t.Helper()
	r, err := Build(c)
	if err != nil {
		t.Fatalf("%s: %v", c.Op, err)
	}
	atol, rtol := c.Atol, c.Rtol
	if atol == 0 {
		atol = 1e-5
	}
	if rtol == 0 {
		rtol = 1e-4
	}
	for i := range r.Engine {
		if err := Compare(r.Engine[i], r.Fallback[i], atol, rtol); err != nil {
			t.Fatalf("%s output %d: engine vs fallback: %v", c.Op, i, err)
		}
	}
	return r
}

// Compare checks dtype, shape and values; NaNs must match NaNs.
func Compare(got, want *ir.Tensor, atol, rtol float64) error {
	if d := tensorio.Diff(got, want, atol, rtol); !d.OK {
		return errors.New(d.String())
	}
	return nil
}

// Random makes a tensor of random values in [lo, hi) (defaults per dtype).
func Random(rng *rand.Rand, dt ir.DType, dims []int64, lo, hi float64) *ir.Tensor {
	if lo == 0 && hi == 0 {
		lo, hi = -2, 2
		if dt.IsInt() {
			lo, hi = 0, 5
		}
		if dt == ir.Bool {
			lo, hi = 0, 2
		}
	}
	t := ir.NewTensor(dt, dims)
	for i := 0; i < int(t.Numel()); i++ {
		v := lo + rng.Float64()*(hi-lo)
		if !dt.IsFloat() {
			v = math.Floor(v)
		}
		t.SetFloat(i, v)
	}
	return t
}

// tested records the converters that Build exercised, by name.
var tested sync.Map

// Exercised reports whether a converter ran in some case of this test
// binary.
func Exercised(name string) bool { _, ok := tested.Load(name); return ok }

// Untested lists the built-in converters whose targets start with prefix
// and that no case of this test binary exercised. A package's TestMain calls
// it after a full run so that every converter keeps a numerical test.
func Untested(prefix string) []string {
	var out []string
	for _, c := range converters.Builtin().All() {
		if strings.HasPrefix(c.Target, prefix) && !Exercised(c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// CheckAllTested runs the tests and then fails the binary if a built-in
// converter under prefix was not exercised, unless the run was filtered
// (-run) or short.
func CheckAllTested(m *testing.M, prefix string) int {
	code := m.Run()
	if code != 0 || testing.Short() {
		return code
	}
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		return code
	}
	if missing := Untested(prefix); len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d built-in converter(s) have no numerical test (convtest.Run): %s\n", len(missing), strings.Join(missing, ", "))
		return 1
	}
	return code
}

// CheckConverterOrReason fails t unless every op under prefix that trtc can
// run (pkg/ops) has a converter in a registry filled by register, or a
// stated reason in noConverter not to; a listed op that has a converter, an
// empty reason, or a listed key that is no op fail too.
func CheckConverterOrReason(t *testing.T, prefix string, register func(*conversion.Registry), noConverter map[string]string) {
	t.Helper()
	r := conversion.NewRegistry()
	register(r)
	has := map[string]bool{}
	for _, k := range r.Targets() {
		has[k] = true
	}
	known := map[string]bool{}
	for _, k := range ops.Keys() {
		known[k] = true
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		reason, listed := noConverter[k]
		switch {
		case has[k] && listed:
			t.Errorf("%s has a converter; remove it from noConverter", k)
		case !has[k] && !listed:
			t.Errorf("%s has a CPU kernel but neither a converter nor a noConverter reason", k)
		case listed && strings.TrimSpace(reason) == "":
			t.Errorf("%s: noConverter needs a reason", k)
		}
	}
	for k := range noConverter {
		if !known[k] {
			t.Errorf("noConverter lists %s, which is not an op", k)
		}
	}
}
