package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/rs/zerolog"

	"github.com/trtc-dev/trtc/pkg/bundle"
	"github.com/trtc-dev/trtc/pkg/compiler"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/ops"
	"github.com/trtc-dev/trtc/pkg/partition"
)

func init() {
	// The JSON log's message key is "msg" (README.md, docs/ci.md).
	zerolog.MessageFieldName = "msg"
}

// writeError prints the error that ends the command: "trtc: <message>" on
// the console, or with --log-format json one JSON object on one line:
//
//	{"level":"error","exit_code":4,"file":"m.onnx","ops":["onnx.Foo"],"time":"...","msg":"..."}
//
// with the fields that locate the problem (errorFields).
func (s *IO) writeError(err error, code int) {
	if s.logFormat != "json" {
		fmt.Fprintf(s.Err, "trtc: %v\n", err)
		return
	}
	log := zerolog.New(s.Err).With().Timestamp().Logger()
	ev := log.Error().Int("exit_code", code)
	fields := errorFields(err)
	for _, k := range sortedFieldKeys(fields) {
		ev = ev.Interface(k, fields[k])
	}
	ev.Msg(err.Error())
}

func sortedFieldKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fieldError attaches log fields to an error where the CLI knows more than
// the error's type says (the tensor an input file was for, the setting a
// value came from).
type fieldError struct {
	err    error
	fields map[string]any
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// withFields adds key, value pairs to err's JSON fields.
func withFields(err error, kv ...any) error {
	if err == nil {
		return nil
	}
	f := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		f[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return &fieldError{err: err, fields: f}
}

// errorFields finds what locates an error: node, op, file, tensor,
// setting, and lists where an error has several (nodes, ops).
func errorFields(err error) map[string]any {
	out := map[string]any{}
	set := func(k string, v any) {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	// Walk the chain, outermost first: the outer context wins.
	var walk func(e error)
	walk = func(e error) {
		for e != nil {
			switch x := e.(type) {
			case *fieldError:
				for k, v := range x.fields {
					set(k, v)
				}
			case *ops.NodeError:
				if x.Node != nil {
					set("node", x.Node.Name)
					set("op", x.Node.Op)
				}
			case *conversion.ConvertError:
				set("node", x.Node)
				set("op", x.Op)
				set("converter", x.Converter)
			case *conversion.PluginError:
				set("file", x.Path)
			case *compiler.UnsupportedOpsError:
				set("file", x.Model)
				ops := make([]string, 0, len(x.Ops))
				var nodes []string
				for op, ns := range x.Ops {
					ops = append(ops, op)
					nodes = append(nodes, ns...)
				}
				sort.Strings(ops)
				sort.Strings(nodes)
				set("ops", ops)
				set("nodes", nodes)
				if len(ops) == 1 {
					set("op", ops[0])
				}
				if len(nodes) == 1 {
					set("node", nodes[0])
				}
			case *compiler.UnsupportedDTypeError:
				set("file", x.Model)
				set("value", x.Value)
				set("dtype", x.DType.String())
			case *partition.FullCompilationError:
				var nodes []string
				for _, ni := range x.Nodes {
					nodes = append(nodes, ni.Node.Name)
				}
				set("nodes", nodes)
				if len(x.Nodes) == 1 {
					set("node", x.Nodes[0].Node.Name)
					set("op", x.Nodes[0].Node.Op)
				}
			case *bundle.Error:
				set("file", x.Path)
			case *fs.PathError:
				set("file", x.Path)
			}
			if j, ok := e.(interface{ Unwrap() []error }); ok {
				for _, inner := range j.Unwrap() {
					walk(inner)
				}
				return
			}
			e = errors.Unwrap(e)
		}
	}
	walk(err)
	return out
}
