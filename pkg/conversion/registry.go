package conversion

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// Priority orders candidates for one target.
type Priority int

const (
	Standard Priority = iota
	High
)

func (p Priority) String() string {
	if p == High {
		return "HIGH"
	}
	return "STANDARD"
}

// OriginBuiltin is the origin of converters compiled into trtc.
const OriginBuiltin = "builtin"

// Validator accepts a node (nil) or says why it cannot convert it.
type Validator func(n *Node) error

// ConvertFunc emits the node's layers through ctx and binds its outputs.
type ConvertFunc func(ctx *Context, n *Node) error

// Converter describes one converter.
type Converter struct {
	// Name identifies the converter in reports; unique in a registry.
	// Defaults to "<Target>" for built-ins and "<Target>@<plugin file>"
	// for plugins.
	Name          string
	Target        string
	Priority      Priority
	DynamicShapes bool
	Validator     Validator // nil accepts every node
	Convert       ConvertFunc
	Description   string
	// OpsetMin and OpsetMax bound the ONNX opset of the node's domain that
	// the converter supports; 0 is unbounded.
	OpsetMin, OpsetMax int64
	// Origin is "builtin" or the plugin's path; set by the registry.
	Origin string
	// LowBit marks a converter that takes tensors of the low-bit storage
	// types (float8, float4e2m1, int4, int2, ...; ir.DType.IsLowBit). In
	// TensorRT such tensors exist only around quantize and dequantize
	// layers, so every other converter is rejected for a node that reads or
	// writes one, before its validator runs.
	LowBit bool
	// Region marks a converter that builds TensorRT loops or conditionals
	// (If, Loop, Scan, recurrent layers). trtc nests none in another, so
	// CheckSubgraph refuses such a node inside a subgraph.
	Region bool
}

// Node is what validators and converters see: the IR node with its input
// and output values and the opset the model imports for its domain.
type Node struct {
	*ir.Node
	In  []*ir.Value // nil for an absent optional input
	Out []*ir.Value
	// Registry and Settings are those of the Decide call validating the
	// node, for validators of ops with subgraphs (which decide their
	// subgraphs' nodes); nil elsewhere.
	Registry *Registry
	Settings *Settings
	Opset    int64
}

// Dynamic reports whether any input or output has a dynamic dim.
func (n *Node) Dynamic() bool {
	for _, vs := range [][]*ir.Value{n.In, n.Out} {
		for _, v := range vs {
			if v != nil && !v.Shape.IsStatic() {
				return true
			}
		}
	}
	return false
}

// lowBitValue returns the first input or output of a low-bit dtype, or nil.
func (n *Node) lowBitValue() *ir.Value {
	for _, vs := range [][]*ir.Value{n.In, n.Out} {
		for _, v := range vs {
			if v != nil && v.DType.IsLowBit() {
				return v
			}
		}
	}
	return nil
}

// Const returns input i's constant value, or nil.
func (n *Node) Const(i int) *ir.Tensor {
	if i < len(n.In) && n.In[i] != nil {
		return n.In[i].Const
	}
	return nil
}

// NewNode gathers a node's values from its graph.
func NewNode(g *ir.Graph, n *ir.Node) *Node {
	cn := &Node{Node: n, In: make([]*ir.Value, len(n.Inputs)), Out: make([]*ir.Value, len(n.Outputs))}
	for i, name := range n.Inputs {
		cn.In[i] = g.Value(name)
	}
	for i, name := range n.Outputs {
		cn.Out[i] = g.Value(name)
	}
	domain := ""
	if !strings.HasPrefix(n.Op, "onnx.") {
		if i := strings.LastIndexByte(n.Op, '.'); i > 0 {
			domain = n.Op[:i]
		}
	}
	if g.Format == "onnx" {
		cn.Opset = g.Opsets[domain]
	}
	return cn
}

// Registry holds converters by target.
type Registry struct {
	byTarget map[string][]*Converter
	byName   map[string]*Converter
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byTarget: map[string][]*Converter{}, byName: map[string]*Converter{}}
}

var (
	atenKey  = regexp.MustCompile(`^aten\.[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$`)
	onnxKey  = regexp.MustCompile(`^onnx\.[A-Z][A-Za-z0-9_]*$`)
	otherKey = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.[A-Za-z_][A-Za-z0-9_]*$`)
)

// CheckTarget validates a target key's form.
func CheckTarget(key string) error {
	switch {
	case strings.HasPrefix(key, "aten."):
		if !atenKey.MatchString(key) {
			return fmt.Errorf("target %q: an ATen key is aten.<op>.<overload>, such as aten.gelu.default (the overload is required)", key)
		}
	case strings.HasPrefix(key, "onnx."):
		if !onnxKey.MatchString(key) {
			return fmt.Errorf("target %q: an ONNX key is onnx.<OpType>, such as onnx.Gelu", key)
		}
	default:
		if !otherKey.MatchString(key) {
			return fmt.Errorf("target %q: expected aten.<op>.<overload>, onnx.<OpType> or <domain>.<OpType> (com.microsoft.FastGelu)", key)
		}
	}
	return nil
}

// Register adds a converter with the given origin ("" means builtin).
func (r *Registry) Register(c Converter, origin string) error {
	if origin == "" {
		origin = OriginBuiltin
	}
	c.Origin = origin
	if err := CheckTarget(c.Target); err != nil {
		return err
	}
	if c.Convert == nil {
		return fmt.Errorf("converter for %s: Convert is nil", c.Target)
	}
	if c.Priority != High && c.Priority != Standard {
		return fmt.Errorf("converter for %s: unknown priority %d", c.Target, c.Priority)
	}
	if c.OpsetMax != 0 && c.OpsetMin > c.OpsetMax {
		return fmt.Errorf("converter for %s: opset range %d..%d is empty", c.Target, c.OpsetMin, c.OpsetMax)
	}
	if c.Name == "" {
		c.Name = c.Target
		if origin != OriginBuiltin {
			c.Name = c.Target + "@" + origin
		}
	}
	if prev, dup := r.byName[c.Name]; dup {
		return fmt.Errorf("converter %q is registered twice: by %s and by %s", c.Name, prev.Origin, origin)
	}
	cp := &c
	r.byName[c.Name] = cp
	list := r.byTarget[c.Target]
	if c.Priority == High {
		list = append([]*Converter{cp}, list...)
	} else {
		list = append(list, cp)
	}
	r.byTarget[c.Target] = list
	return nil
}

// MustRegister registers a built-in converter; an error is a programming
// error in trtc and panics at start-up (a test registers all built-ins).
func (r *Registry) MustRegister(c Converter) {
	if err := r.Register(c, OriginBuiltin); err != nil {
		panic(err)
	}
}

// Candidates returns a target's converters in the order they are tried.
func (r *Registry) Candidates(target string) []*Converter {
	return append([]*Converter(nil), r.byTarget[target]...)
}

// Targets lists targets in order.
func (r *Registry) Targets() []string { return ir.SortedKeys(r.byTarget) }

// All lists every converter: targets in order, each target's candidates in
// the order they are tried.
func (r *Registry) All() []*Converter {
	var out []*Converter
	for _, t := range r.Targets() {
		out = append(out, r.byTarget[t]...)
	}
	return out
}

// Clone copies the registry, so plugins can be added to a per-run registry
// without touching the built-in one.
func (r *Registry) Clone() *Registry {
	c := NewRegistry()
	for k, v := range r.byTarget {
		c.byTarget[k] = append([]*Converter(nil), v...)
	}
	for k, v := range r.byName {
		c.byName[k] = v
	}
	return c
}

// Rejection says why one candidate did not take a node.
type Rejection struct {
	Converter string
	Origin    string
	Reason    string
}

// Decision is the capability verdict for one node.
type Decision struct {
	Converter *Converter // nil: the node falls back
	Forced    bool       // in the forced-fallback list
	Rejected  []Rejection
}

// Reasons flattens the rejections into report lines.
func (d Decision) Reasons() []string {
	if d.Forced {
		return []string{"op is in the forced fallback list (--fallback-ops)"}
	}
	var out []string
	for _, r := range d.Rejected {
		out = append(out, fmt.Sprintf("%s (%s): %s", r.Converter, r.Origin, r.Reason))
	}
	if len(out) == 0 && d.Converter == nil {
		out = append(out, "no converter is registered for this op")
	}
	return out
}

// Decide picks the converter for a node, following the package's rules.
func (r *Registry) Decide(n *Node, s *Settings) Decision {
	n.Registry, n.Settings = r, s
	// A lowered node is forced by its own op or by the op the user
	// exported (--fallback-ops aten.hardswish_.default reaches the
	// hardswish that functionalization made of it).
	if _, orig := n.Origin(); s != nil && (s.IsForcedFallback(n.Op) || s.IsForcedFallback(orig)) {
		return Decision{Forced: true}
	}
	var d Decision
	dynamic := n.Dynamic()
	for _, c := range r.byTarget[n.Op] {
		reject := func(format string, args ...any) {
			d.Rejected = append(d.Rejected, Rejection{c.Name, c.Origin, fmt.Sprintf(format, args...)})
		}
		if dynamic && !c.DynamicShapes {
			reject("node has dynamic shapes and the converter does not support them")
			continue
		}
		if n.Opset != 0 && ((c.OpsetMin != 0 && n.Opset < c.OpsetMin) || (c.OpsetMax != 0 && n.Opset > c.OpsetMax)) {
			reject("model imports opset %d, converter supports %s", n.Opset, OpsetRange(c.OpsetMin, c.OpsetMax))
			continue
		}
		if v := n.lowBitValue(); v != nil && !c.LowBit {
			reject("%q is %v, a low-bit storage type that TensorRT only holds around quantize/dequantize layers", v.Name, v.DType)
			continue
		}
		if c.Validator != nil {
			if err := safeValidate(c.Validator, n); err != nil {
				reject("%v", err)
				continue
			}
		}
		d.Converter = c
		return d
	}
	return d
}

func safeValidate(v Validator, n *Node) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("validator panicked: %v", p)
		}
	}()
	return v(n)
}

// OpsetRange formats an opset range for reports ("13+", "11-17", "any").
func OpsetRange(lo, hi int64) string {
	switch {
	case lo == 0 && hi == 0:
		return "any"
	case hi == 0:
		return fmt.Sprintf("%d+", lo)
	case lo == 0:
		return fmt.Sprintf("<=%d", hi)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// SortConverters orders converters for listing (by target, stable).
func SortConverters(cs []*Converter) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Target < cs[j].Target })
}
