// Command gentables writes the tables that tie the network API, its layer
// kinds' declaration (pkg/network/kinddef) and the backends together (make
// tables):
//
//   - pkg/network/kinds_gen.go, pkg/backend/reference/rules_gen.go and the
//     rule part of docs/backends.md, from pkg/network/kinddef (kinds.go);
//   - pkg/network/enumnames_gen.go: each enum's String table, value by
//     value from the constants of pkg/network/enums.go;
//   - cgo/tensorrt/enumcheck.h: one TRTC_ENUM(Type, kNAME, value) line per
//     enumerator of pkg/network/enums.go and per TensorRT DataType trtc
//     uses; shim.cpp turns each into a static_assert against TensorRT's
//     headers, so a value that differs fails `make check-tensorrt`.
//   - docs/backends.md: for every network.Network method, whether the
//     reference and tensorrt backends implement it.
//
// It refuses a method that a backend lacks, an enum without a TensorRT
// name, or a constant without a literal value. Tests check that both files
// are up to date.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/trtc-dev/trtc/cgo/tensorrt"
	"github.com/trtc-dev/trtc/pkg/network"
	"github.com/trtc-dev/trtc/pkg/network/kinddef"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	files, err := generate(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentables:", err)
		os.Exit(1)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(root, f.path), f.data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gentables:", err)
			os.Exit(1)
		}
	}
}

type file struct {
	path string
	data []byte
}

const (
	enumPath   = "cgo/tensorrt/enumcheck.h"
	tablePath  = "docs/backends.md"
	enumsGo    = "pkg/network/enums.go"
	trtNetwork = "cgo/tensorrt/network.go"
)

func generate(root string) ([]file, error) {
	return generateFrom(root, kinddef.Kinds, filepath.Join(root, trtNetwork))
}

// generateFrom is generate with the declarations and the cgo backend's
// network.go given, so tests can feed it broken ones.
func generateFrom(root string, kinds []kinddef.Kind, trtPath string) ([]file, error) {
	if err := checkKinds(root, kinds, trtPath); err != nil {
		return nil, err
	}
	enums, err := enumCheck(filepath.Join(root, enumsGo))
	if err != nil {
		return nil, err
	}
	table, err := backendsTable(root, trtPath, kinds)
	if err != nil {
		return nil, err
	}
	kindsSrc, err := kindsGo(kinds)
	if err != nil {
		return nil, err
	}
	rulesSrc, err := rulesGo(kinds)
	if err != nil {
		return nil, err
	}
	names, err := enumNamesGo(filepath.Join(root, enumsGo))
	if err != nil {
		return nil, err
	}
	return []file{{enumPath, enums}, {tablePath, table}, {kindsGoPath, kindsSrc}, {rulesGoPath, rulesSrc}, {enumNamesPath, names}}, nil
}

// enumTypes maps each enum type of enums.go to its constant prefix; the
// TensorRT enumerator is "k" + the rest of the constant's name.
var enumTypes = map[string]string{
	"ElementWiseOperation": "ElementWise", "ActivationType": "Activation", "UnaryOperation": "Unary",
	"ReduceOperation": "Reduce", "PoolingType": "Pooling", "MatrixOperation": "Matrix",
	"GatherMode": "Gather", "SampleMode": "Sample", "FillOperation": "Fill",
	"CumulativeOperation": "Cumulative", "TopKOperation": "TopK", "PaddingMode": "Padding",
	"InterpolationMode": "Interpolation", "ResizeCoordinateTransformation": "Resize",
	"ResizeSelector": "ResizeSelector", "ResizeRoundMode": "ResizeRound", "ScatterMode": "Scatter",
	"TripLimit": "TripLimit", "LoopOutput": "LoopOutput",
}

// since gives the TensorRT release whose headers added an enumerator that
// 10.0 lacks; enumcheck.h guards its assertion with it.
var since = map[string][2]int{
	"UnaryOperation::kISNAN":                               {10, 1},
	"CumulativeOperation::kSUM":                            {10, 8},
	"HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY": {10, 9},
}

type enumConst struct {
	typ, name string
	value     int64
}

// parseEnums reads the typed constants of enums.go.
func parseEnums(path string) ([]enumConst, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	var out []enumConst
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			id, ok := vs.Type.(*ast.Ident)
			if !ok {
				continue // untyped constants (counts) are not enumerators
			}
			prefix, ok := enumTypes[id.Name]
			if !ok {
				return nil, fmt.Errorf("%s: enum type %s has no TensorRT name in gentables' enumTypes", path, id.Name)
			}
			for i, n := range vs.Names {
				if i >= len(vs.Values) {
					return nil, fmt.Errorf("%s: %s has no literal value", path, n.Name)
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.INT {
					return nil, fmt.Errorf("%s: %s's value is not an integer literal", path, n.Name)
				}
				v, _ := strconv.ParseInt(lit.Value, 0, 64)
				if !strings.HasPrefix(n.Name, prefix) {
					return nil, fmt.Errorf("%s: %s does not start with %s", path, n.Name, prefix)
				}
				out = append(out, enumConst{id.Name, "k" + strings.TrimPrefix(n.Name, prefix), v})
			}
		}
	}
	return out, nil
}

func enumCheck(enumsPath string) ([]byte, error) {
	consts, err := parseEnums(enumsPath)
	if err != nil {
		return nil, err
	}
	for v, name := range tensorrt.DataTypeNames {
		consts = append(consts, enumConst{"DataType", name, int64(v)})
	}
	for _, h := range tensorrt.HardwareCompats {
		consts = append(consts, enumConst{"HardwareCompatibilityLevel", "k" + h.Name, int64(h.Level)})
	}
	slices.SortStableFunc(consts, func(a, b enumConst) int {
		if c := strings.Compare(a.typ, b.typ); c != 0 {
			return c
		}
		return int(a.value - b.value)
	})
	var b bytes.Buffer
	b.WriteString("// Code generated by cgo/tensorrt/internal/gentables (make tables). DO NOT EDIT.\n\n")
	b.WriteString("// TRTC_ENUM(Type, enumerator, value): trtc's value of a TensorRT enumerator,\n")
	b.WriteString("// from pkg/network/enums.go and cgo/tensorrt/dtypes.go. shim.cpp asserts each.\n")
	for _, c := range consts {
		line := fmt.Sprintf("TRTC_ENUM(%s, %s, %d)\n", c.typ, c.name, c.value)
		if v, ok := since[c.typ+"::"+c.name]; ok {
			line = fmt.Sprintf("#if TRTC_TRT_AT_LEAST(%d, %d)\n%s#endif\n", v[0], v[1], line)
		}
		b.WriteString(line)
	}
	return b.Bytes(), nil
}

// methodKind maps an Add method to the kind that declares it ("" for
// methods that add no layer).
func methodKind(kinds []kinddef.Kind, m string) string {
	for _, k := range kinds {
		if slices.Contains(k.Methods, m) {
			return k.Name
		}
	}
	return ""
}

// shimCalls lists, per method of *Network in a source file, the C.trtc_*
// functions its body calls.
func shimCalls(path string) (map[string][]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
			continue
		}
		star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
		if !ok || star.X.(*ast.Ident).Name != "Network" {
			continue
		}
		calls := []string{}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "C" && strings.HasPrefix(sel.Sel.Name, "trtc_") && !slices.Contains(calls, sel.Sel.Name) {
					calls = append(calls, sel.Sel.Name)
				}
			}
			return true
		})
		out[fd.Name.Name] = calls
	}
	return out, nil
}

func backendsTable(root, trtPath string, kinds []kinddef.Kind) ([]byte, error) {
	calls, err := shimCalls(trtPath)
	if err != nil {
		return nil, err
	}
	// The reference backend is read as source, not imported, so that
	// make tables runs while its code uses a kind not yet generated.
	refDir := filepath.Join(root, referenceDir)
	refMethods, err := receiverMethods(refDir)
	if err != nil {
		return nil, err
	}
	registered, err := registeredKinds(refDir)
	if err != nil {
		return nil, err
	}
	iface := reflect.TypeFor[network.Network]()
	var b bytes.Buffer
	b.WriteString("<!-- Code generated by cgo/tensorrt/internal/gentables (make tables). DO NOT EDIT. -->\n\n")
	b.WriteString("# Backends and the network API\n\n")
	b.WriteString("Every method of `network.Network` (pkg/network), and how each backend implements it.\n")
	b.WriteString("The reference column says whether pkg/backend/reference executes the layer kind\n")
	b.WriteString("(`reference.Implements`); the tensorrt column names the C shim function\n")
	b.WriteString("(cgo/tensorrt/shim.h) that cgo/tensorrt/network.go calls, which makes the\n")
	b.WriteString("`INetworkDefinition` call. A test fails when a method lacks either.\n\n")
	b.WriteString("| method | layer kind | reference | tensorrt |\n|---|---|---|---|\n")
	var missing []string
	for i := 0; i < iface.NumMethod(); i++ {
		m := iface.Method(i).Name
		k := methodKind(kinds, m)
		ref := "yes"
		if !refMethods[m] {
			ref = ""
		} else if k != "" && !registered[k] {
			ref = ""
		}
		trt := "Go only"
		c, ok := calls[m]
		switch {
		case !ok:
			trt = ""
		case len(c) > 0:
			trt = "`" + strings.Join(c, "`, `") + "`"
		case strings.HasPrefix(m, "Add") || m == "MarkOutput":
			trt = "" // a layer method that never reaches TensorRT
		}
		if ref == "" {
			missing = append(missing, "reference: "+m)
		}
		if trt == "" {
			missing = append(missing, "tensorrt: "+m)
		}
		kind := k
		if kind == "" {
			kind = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", m, kind, ref, trt)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("network.Network methods without an implementation: %s", strings.Join(missing, ", "))
	}
	b.WriteString(rulesTable(kinds))
	return b.Bytes(), nil
}
