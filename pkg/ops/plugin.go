package ops

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Def is an op that a plugin defines (conversion.Registrar.DefineOp): its
// key, its schema (inputs, outputs, attributes), its dtype and shape
// inference, its CPU kernel and whether constant folding may run it.
//
// trtc checks every node of the op against the schema before calling
// Infer, and checks what Infer and Kernel return against the schema and
// against each other, so a plugin's mistake is an error naming the plugin,
// the op and the node (*PluginOpError), never a crash.
type Def struct {
	// Key is the op key nodes carry: "com.acme.ScaledSwish" for an ONNX
	// node of domain com.acme, "acme.scaled_swish.default" for a
	// torch.library custom op acme::scaled_swish exported by torch.export.
	Key string
	// Inputs and Outputs describe the node's tensors in order; optional
	// inputs come last.
	Inputs, Outputs []Port
	// Attrs lists the attributes a node may carry. A node with an
	// attribute not listed, or of another kind, or without a required
	// one, is a malformed model. Names starting with "_" are annotations
	// trtc's frontends add and are not checked.
	Attrs []AttrSpec
	// Infer returns each output's dtype and shape from the inputs' (see
	// Op.Infer). Symbolic dims (ir.Sym) carry through: an output dim equal
	// to an input dim should reuse that ir.Dim.
	Infer func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error)
	// Kernel computes the outputs on the CPU (fallback segments,
	// --fallback-ops, constant folding when Fold is set).
	Kernel func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error)
	// Fold lets constant folding run Kernel on nodes whose inputs are all
	// constants. Off by default: a plugin opts in.
	Fold bool
	// NonCompute marks an op that only moves data (see Op.NonCompute).
	NonCompute bool
	// Description is shown by `trtc ops list`-style listings and docs.
	Description string
}

// Port is one input or output of a plugin op.
type Port struct {
	Name string
	// DTypes lists the dtypes allowed (inputs) or possible (outputs); nil
	// allows any.
	DTypes []ir.DType
	// Optional inputs may be absent ("" in the node); only trailing
	// inputs may be optional.
	Optional bool
	// Rank constrains the tensor's rank; the zero value allows any.
	Rank RankRule
}

// RankRule constrains a port's rank: AnyRank, FixedRank(r) or
// RankOfInput(i).
type RankRule int

// AnyRank allows every rank.
const AnyRank RankRule = 0

// FixedRank requires rank r.
func FixedRank(r int) RankRule { return RankRule(r + 1) }

// RankOfInput requires the rank of input i.
func RankOfInput(i int) RankRule { return RankRule(-(i + 1)) }

// want returns the rank the rule requires given the inputs, or -1.
func (r RankRule) want(in []*ir.Value) int {
	switch {
	case r > 0:
		return int(r) - 1
	case r < 0:
		i := int(-r) - 1
		if i < len(in) && in[i] != nil {
			return in[i].Shape.Rank()
		}
	}
	return -1
}

func (r RankRule) String() string {
	switch {
	case r > 0:
		return fmt.Sprintf("rank %d", int(r)-1)
	case r < 0:
		return fmt.Sprintf("the rank of input %d", int(-r)-1)
	}
	return "any rank"
}

// AttrSpec is one attribute of a plugin op.
type AttrSpec struct {
	Name     string
	Kind     ir.AttrKind
	Required bool
}

// PluginOpError is a plugin op whose own code misbehaved: its shape
// inference or kernel panicked, or returned outputs that contradict its
// schema or its inference. The CLI exits 8 on it.
type PluginOpError struct {
	Op     string
	Origin string
	Node   *ir.Node // nil outside a node
	Err    error
}

func (e *PluginOpError) Error() string {
	where := ""
	if e.Node != nil {
		where = e.Node.String() + ": "
	}
	return fmt.Sprintf("%splugin op %s (plugin %s): %v", where, e.Op, e.Origin, e.Err)
}
func (e *PluginOpError) Unwrap() error { return e.Err }

// CheckDef validates a definition's form without registering it.
func CheckDef(d Def) error {
	if d.Key == "" {
		return errors.New("op definition without a Key")
	}
	if d.Infer == nil || d.Kernel == nil {
		return fmt.Errorf("op %s: Infer and Kernel are required", d.Key)
	}
	if len(d.Outputs) == 0 {
		return fmt.Errorf("op %s: no outputs declared", d.Key)
	}
	optional := false
	for i, p := range d.Inputs {
		if optional && !p.Optional {
			return fmt.Errorf("op %s: input %d (%s) is required but follows an optional input", d.Key, i, p.Name)
		}
		optional = optional || p.Optional
		if p.Rank < 0 {
			return fmt.Errorf("op %s: input %d's rank cannot refer to an input", d.Key, i)
		}
	}
	for i, p := range d.Outputs {
		if p.Optional {
			return fmt.Errorf("op %s: output %d (%s) cannot be optional", d.Key, i, p.Name)
		}
		if j := int(-p.Rank) - 1; p.Rank < 0 && j >= len(d.Inputs) {
			return fmt.Errorf("op %s: output %d's rank refers to input %d, which is not declared", d.Key, i, j)
		}
	}
	seen := map[string]bool{}
	for _, a := range d.Attrs {
		if a.Name == "" || seen[a.Name] {
			return fmt.Errorf("op %s: attribute name %q is empty or repeated", d.Key, a.Name)
		}
		seen[a.Name] = true
	}
	return nil
}

// RegisterPlugin adds a plugin's op definition with origin (the plugin's
// path). A key already defined, by trtc or another plugin, is an error
// naming both; the same plugin defining it again (loaded twice in one
// process) is a no-op.
func RegisterPlugin(d Def, origin string) error {
	if err := CheckDef(d); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if prev, dup := table[d.Key]; dup {
		if prev.Origin == origin {
			return nil
		}
		return fmt.Errorf("op %s is defined twice: by %s and by %s", d.Key, originName(prev.Origin), origin)
	}
	table[d.Key] = pluginOp(d, origin)
	return nil
}

// CheckPluginKey says whether RegisterPlugin(d, origin) would be refused
// as a duplicate, without registering.
func CheckPluginKey(key, origin string) error {
	mu.RLock()
	defer mu.RUnlock()
	if prev, dup := table[key]; dup && prev.Origin != origin {
		return fmt.Errorf("op %s is defined twice: by %s and by %s", key, originName(prev.Origin), origin)
	}
	return nil
}

func originName(o string) string {
	if o == "" {
		return "trtc (built in)"
	}
	return o
}

// pluginOp wraps a definition's functions with the checks that keep a
// plugin's mistakes from crashing trtc or passing silently.
func pluginOp(d Def, origin string) *Op {
	d.Inputs = slices.Clone(d.Inputs)
	d.Outputs = slices.Clone(d.Outputs)
	d.Attrs = slices.Clone(d.Attrs)
	fail := func(n *ir.Node, format string, args ...any) error {
		return &PluginOpError{Op: d.Key, Origin: origin, Node: n, Err: fmt.Errorf(format, args...)}
	}
	infer := func(n *ir.Node, in []*ir.Value) (outs []*ir.Value, err error) {
		if err := checkNode(d, n, in); err != nil {
			return nil, err
		}
		defer func() {
			if p := recover(); p != nil {
				outs, err = nil, fail(n, "shape inference panicked: %v", p)
			}
		}()
		outs, err = d.Infer(n, in)
		if err != nil {
			// The plugin refused the node: the model does not fit the op.
			return nil, err
		}
		if err := checkOutputs(d, in, outs); err != nil {
			return nil, fail(n, "shape inference: %v", err)
		}
		return outs, nil
	}
	run := func(n *ir.Node, in []*ir.Tensor) (outs []*ir.Tensor, err error) {
		vals := make([]*ir.Value, len(in))
		for i, t := range in {
			if t != nil {
				vals[i] = &ir.Value{DType: t.DType, Shape: ir.S(t.Shape...), Const: t}
			}
		}
		// The kernel's outputs must be what inference says for these
		// concrete inputs.
		want, err := infer(n, vals)
		if err != nil {
			return nil, err
		}
		defer func() {
			if p := recover(); p != nil {
				outs, err = nil, fail(n, "kernel panicked: %v", p)
			}
		}()
		outs, err = d.Kernel(n, in)
		if err != nil {
			return nil, err
		}
		if len(outs) != len(d.Outputs) {
			return nil, fail(n, "kernel returned %d outputs, the op declares %d", len(outs), len(d.Outputs))
		}
		for i, t := range outs {
			w := want[i]
			switch {
			case t == nil:
				return nil, fail(n, "kernel returned no tensor for output %d", i)
			case t.DType != w.DType:
				return nil, fail(n, "kernel returned output %d as %v, its shape inference says %v", i, t.DType, w.DType)
			case !ir.S(t.Shape...).Equal(w.Shape):
				return nil, fail(n, "kernel returned output %d with shape %v, its shape inference says %v", i, ir.S(t.Shape...), w.Shape)
			}
			if int64(len(t.Data)) != ir.Numel(t.Shape)*int64(t.DType.Size()) {
				return nil, fail(n, "kernel returned output %d with %d data bytes for shape %v of %v", i, len(t.Data), ir.S(t.Shape...), t.DType)
			}
		}
		return outs, nil
	}
	return &Op{Key: d.Key, Infer: infer, Run: run, NonCompute: d.NonCompute, NoFold: !d.Fold,
		Origin: origin, Description: d.Description}
}

// checkNode checks a node against the op's schema: the model's side.
func checkNode(d Def, n *ir.Node, in []*ir.Value) error {
	required := 0
	for _, p := range d.Inputs {
		if !p.Optional {
			required++
		}
	}
	if len(in) < required || len(in) > len(d.Inputs) {
		return fmt.Errorf("op %s takes %d to %d inputs, the node has %d", d.Key, required, len(d.Inputs), len(in))
	}
	for i, p := range d.Inputs {
		if i >= len(in) || in[i] == nil {
			if !p.Optional {
				return fmt.Errorf("input %d (%s) is required", i, p.Name)
			}
			continue
		}
		if p.DTypes != nil && !slices.Contains(p.DTypes, in[i].DType) {
			return fmt.Errorf("input %d (%s) is %v; op %s accepts %v", i, p.Name, in[i].DType, d.Key, p.DTypes)
		}
		if r := p.Rank.want(in); r >= 0 && in[i].Shape.Rank() != r {
			return fmt.Errorf("input %d (%s) has rank %d; op %s needs %v", i, p.Name, in[i].Shape.Rank(), d.Key, p.Rank)
		}
	}
	if c := countOutputs(n); c > len(d.Outputs) {
		return fmt.Errorf("op %s has %d outputs, the node has %d", d.Key, len(d.Outputs), c)
	}
	kinds := map[string]ir.AttrKind{}
	for _, a := range d.Attrs {
		kinds[a.Name] = a.Kind
		if _, ok := n.Attrs[a.Name]; a.Required && !ok {
			return fmt.Errorf("attribute %q (%v) is required by op %s", a.Name, a.Kind, d.Key)
		}
	}
	for _, name := range ir.SortedKeys(n.Attrs) {
		if strings.HasPrefix(name, "_") {
			continue // a frontend's annotation (the ATen frontend's _int_x)
		}
		k, ok := kinds[name]
		if !ok {
			return fmt.Errorf("attribute %q is not an attribute of op %s", name, d.Key)
		}
		if got := n.Attrs[name].Kind; got != k {
			return fmt.Errorf("attribute %q is %v; op %s declares it %v", name, got, d.Key, k)
		}
	}
	return nil
}

// checkOutputs checks what a plugin's inference returned: the plugin's side.
func checkOutputs(d Def, in []*ir.Value, outs []*ir.Value) error {
	if len(outs) != len(d.Outputs) {
		return fmt.Errorf("returned %d outputs, the op declares %d", len(outs), len(d.Outputs))
	}
	for i, o := range outs {
		p := d.Outputs[i]
		if o == nil {
			return fmt.Errorf("output %d (%s) is nil", i, p.Name)
		}
		if !o.DType.Supported() {
			return fmt.Errorf("output %d (%s) has dtype %v, which trtc cannot hold", i, p.Name, o.DType)
		}
		if p.DTypes != nil && !slices.Contains(p.DTypes, o.DType) {
			return fmt.Errorf("output %d (%s) is %v; the op declares %v", i, p.Name, o.DType, p.DTypes)
		}
		if r := p.Rank.want(in); r >= 0 && o.Shape.Rank() != r {
			return fmt.Errorf("output %d (%s) has rank %d; the op declares %v, which is %d here", i, p.Name, o.Shape.Rank(), p.Rank, r)
		}
		for j, dim := range o.Shape {
			if dim.Size < -1 {
				return fmt.Errorf("output %d (%s) dim %d is %d", i, p.Name, j, dim.Size)
			}
		}
		if o.Const != nil {
			return fmt.Errorf("output %d (%s): inference may not set a constant; opt in to folding with Def.Fold", i, p.Name)
		}
	}
	return nil
}

// MissingOpError is an op something needs that is not defined in this
// process: typically one a Go plugin defines that was not loaded. The CLI
// exits 8 on it.
type MissingOpError struct {
	Op    string
	Where string
}

func (e *MissingOpError) Error() string {
	return fmt.Sprintf("op %s is not defined here (load the Go plugin that defines it with --plugin, the config's plugins: or TRTC_PLUGINS): %s", e.Op, e.Where)
}
