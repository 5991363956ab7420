package compiler

import (
	"fmt"
	"unicode/utf8"

	"github.com/trtc-dev/trtc/pkg/ir"
)

// CheckGraph makes every structural check that a later stage (partitioning,
// the bundle writer, `trtc run`) would otherwise make, so that compile and
// --dry-run fail on the same graphs, before any engine is built: the graph
// has outputs, each produced by a node, an input or a constant, and none
// twice; every name is valid UTF-8 (the bundle stores names as protobuf
// strings); every value's static dims are non-negative and its byte size
// fits int64; every constant holds the bytes its shape says. It runs after
// shape inference (Prepare).
func CheckGraph(g *ir.Graph) error {
	if len(g.Outputs) == 0 {
		return fmt.Errorf("the graph has no outputs")
	}
	seen := map[string]bool{}
	for _, in := range g.Inputs {
		if err := checkName("graph input", in); err != nil {
			return err
		}
		if seen[in] {
			return fmt.Errorf("graph input %q is listed twice", in)
		}
		seen[in] = true
	}
	outs := map[string]bool{}
	for i, o := range g.Outputs {
		if o == "" {
			return fmt.Errorf("graph output %d has no name", i)
		}
		if err := checkName("graph output", o); err != nil {
			return err
		}
		if outs[o] {
			return fmt.Errorf("graph output %q is listed twice", o)
		}
		outs[o] = true
		if g.Value(o) == nil {
			return fmt.Errorf("graph output %q is not produced by any node", o)
		}
	}
	for _, n := range g.Nodes {
		if err := checkName("node", n.Name); err != nil {
			return err
		}
		if err := checkName("op", n.Op); err != nil {
			return err
		}
		for _, s := range append(append([]string{}, n.Inputs...), n.Outputs...) {
			if err := checkName(fmt.Sprintf("%v: value", n), s); err != nil {
				return err
			}
		}
		for name, a := range n.Attrs {
			if err := checkName(fmt.Sprintf("%v: attribute", n), name); err != nil {
				return err
			}
			if a.Kind == ir.AttrString && !utf8.ValidString(a.S) {
				return fmt.Errorf("%v: attribute %q is not valid UTF-8", n, name)
			}
		}
	}
	for _, name := range ir.SortedKeys(g.Values) {
		v := g.Values[name]
		if err := checkName("value", name); err != nil {
			return err
		}
		for i, d := range v.Shape {
			if d.Size < -1 { // -1 is a dynamic dim; less is no size at all
				return fmt.Errorf("value %q: dim %d is %d", name, i, d.Size)
			}
		}
		if dims, ok := v.Shape.Ints(); ok {
			if _, err := ir.ByteSize(fmt.Sprintf("value %q%s", name, producedBy(g, name)), v.DType, dims); err != nil {
				return err
			}
		}
		if v.Const != nil {
			if err := v.Const.Validate(fmt.Sprintf("constant %q", name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// producedBy names the node that writes a value, for error messages.
func producedBy(g *ir.Graph, value string) string {
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o == value {
				return fmt.Sprintf(" (output of %v)", n)
			}
		}
	}
	return ""
}

func checkName(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s name %q is not valid UTF-8", what, s)
	}
	return nil
}
