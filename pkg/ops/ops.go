package ops

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/trtc-dev/trtc/internal/sizes"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// Op is one op key's semantics.
type Op struct {
	Key string
	// Infer returns each output's dtype and shape (Name is filled by the
	// caller). in[i] is nil for an absent optional input; in[i].Const is set
	// for constants and in[i].ShapeData for shape-valued tensors. Infer may
	// set Const on an output it can compute without running the kernel
	// (Shape of a static input) and ShapeData where it tracks shape values.
	Infer func(n *ir.Node, in []*ir.Value) ([]*ir.Value, error)
	// Run is the CPU fallback kernel. in[i] is nil for an absent optional
	// input.
	Run func(n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, error)
	// NonCompute marks ops that only move or relabel data (Reshape,
	// Identity, Shape, ...): they do not count towards min block size.
	NonCompute bool
	// NoFold keeps the op out of constant folding (random ops).
	NoFold bool
	// KeepIf, where set, keeps a node with constant inputs out of constant
	// folding when it reports true (a DequantizeLinear of quantized
	// weights, which TensorRT takes as a dequantize layer). consumers are
	// the ops of the nodes that read the node's outputs.
	KeepIf func(n *ir.Node, in []*ir.Value, consumers []string) bool
	// Origin is "" for ops compiled into trtc and the plugin file's path
	// for ops a plugin defined (see Def and RegisterPlugin).
	Origin string
	// Description says what the op computes (plugin ops).
	Description string
}

// IsPlugin reports whether a plugin defined the op.
func (o *Op) IsPlugin() bool { return o.Origin != "" }

var (
	mu    sync.RWMutex
	table = map[string]*Op{}
)

// Register adds an op; a duplicate key is a programming error and panics at
// init time.
func Register(op Op) {
	if op.Key == "" || op.Infer == nil || op.Run == nil {
		panic(fmt.Sprintf("ops.Register(%q): key, Infer and Run are required", op.Key))
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := table[op.Key]; dup {
		panic("ops.Register: duplicate op " + op.Key)
	}
	table[op.Key] = &op
}

// Lookup returns the op for a key.
func Lookup(key string) (*Op, bool) {
	mu.RLock()
	defer mu.RUnlock()
	op, ok := table[key]
	return op, ok
}

// Keys lists registered op keys in order.
func Keys() []string {
	mu.RLock()
	defer mu.RUnlock()
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// NodeError ties an error to a node.
type NodeError struct {
	Node *ir.Node
	Err  error
}

func (e *NodeError) Error() string { return fmt.Sprintf("%s: %v", e.Node, e.Err) }
func (e *NodeError) Unwrap() error { return e.Err }

// Execute runs a node's fallback kernel on concrete inputs, checking the
// output count. Errors name the node.
//
// Every allocation a kernel makes through ir.NewTensor is checked against
// the memory budget (package sizes); one over it stops the kernel, and
// Execute returns the *sizes.Error wrapped in a NodeError naming the node
// and its outputs. Each output's data length is checked against its shape,
// so a kernel cannot hand on a tensor whose shape claims more than it holds.
func Execute(n *ir.Node, in []*ir.Tensor) (out []*ir.Tensor, err error) {
	op, ok := Lookup(n.Op)
	if !ok {
		return nil, &NodeError{n, fmt.Errorf("no CPU kernel for op %s", n.Op)}
	}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*sizes.Error)
			if !ok {
				panic(r)
			}
			out, err = nil, &NodeError{n, fmt.Errorf("computing %s: %w", outputNames(n), se)}
		}
	}()
	if empties, ok := emptyOutputs(op, n, in); ok {
		return empties, nil
	}
	out, err = op.Run(n, in)
	if err != nil {
		return nil, &NodeError{n, err}
	}
	if len(out) < countOutputs(n) {
		return nil, &NodeError{n, fmt.Errorf("kernel returned %d outputs, node has %d", len(out), countOutputs(n))}
	}
	for i, name := range n.Outputs {
		if name == "" || out[i] == nil {
			continue
		}
		if out[i].Validate("") != nil { // named only when it fails
			return nil, &NodeError{n, out[i].Validate(fmt.Sprintf("output %q", name))}
		}
	}
	return out, nil
}

// emptyOutputs short-cuts a node with an empty input whose outputs are all
// empty (by shape inference on the inputs' concrete shapes): the kernel
// would compute nothing, but may loop over the other dims first, which a
// hostile [2^31, 2^31, 0] input makes endless.
func emptyOutputs(op *Op, n *ir.Node, in []*ir.Tensor) ([]*ir.Tensor, bool) {
	anyEmpty := false
	for _, t := range in {
		anyEmpty = anyEmpty || t != nil && len(t.Data) == 0 && ir.Numel(t.Shape) == 0
	}
	if !anyEmpty || op.NoFold {
		return nil, false
	}
	vals := make([]*ir.Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = &ir.Value{DType: t.DType, Shape: ir.S(t.Shape...)}
			if len(t.Data) <= 64 { // small (shape, axes) inputs are their values
				vals[i].Const = t
			}
		}
	}
	outs, err := op.Infer(n, vals)
	if err != nil || len(outs) < countOutputs(n) {
		return nil, false
	}
	res := make([]*ir.Tensor, len(outs))
	for i, o := range outs {
		if i >= len(n.Outputs) || n.Outputs[i] == "" {
			continue
		}
		if o == nil {
			return nil, false
		}
		dims, ok := o.Shape.Ints()
		if !ok || ir.Numel(dims) != 0 {
			return nil, false
		}
		res[i] = ir.NewTensor(o.DType, dims)
	}
	return res, true
}

// outputNames names a node's outputs for an error message.
func outputNames(n *ir.Node) string {
	var names []string
	for _, o := range n.Outputs {
		if o != "" {
			names = append(names, fmt.Sprintf("%q", o))
		}
	}
	switch len(names) {
	case 0:
		return "its outputs"
	case 1:
		return "output " + names[0]
	}
	return "outputs " + strings.Join(names, ", ")
}

func countOutputs(n *ir.Node) int {
	c := 0
	for i, o := range n.Outputs {
		if o != "" {
			c = i + 1
		}
	}
	return c
}

// UnsupportedDTypeError is an op asked to produce or read a dtype trtc cannot
// hold (float8, int4, strings, ...). The compiler reports it as an
// unsupported model rather than a malformed one.
type UnsupportedDTypeError struct {
	What  string // "cast to", "input 0"
	DType ir.DType
}

func (e *UnsupportedDTypeError) Error() string {
	if e.DType.IsLowBit() {
		return fmt.Sprintf("%s is %v: trtc holds this dtype for storage, Cast and (de)quantization only", e.What, e.DType)
	}
	return fmt.Sprintf("%s %v: trtc does not support this dtype", e.What, e.DType)
}
