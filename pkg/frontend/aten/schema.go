package aten

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The subset of torch/_export/serde/schema.py that trtc reads. Unions are
// JSON objects with exactly one key; they stay raw until a reader asks for
// the kind it understands.

type union map[string]json.RawMessage

// kind returns the union's single key (its type) and raw value.
func (u union) kind() (string, json.RawMessage) {
	keys := make([]string, 0, len(u))
	for k, v := range u {
		if string(v) != "null" {
			keys = append(keys, k)
		}
	}
	if len(keys) != 1 {
		sort.Strings(keys)
		return strings.Join(keys, "+"), nil
	}
	return keys[0], u[keys[0]]
}

type program struct {
	GraphModule struct {
		Graph     graph `json:"graph"`
		Signature struct {
			InputSpecs  []union `json:"input_specs"`
			OutputSpecs []union `json:"output_specs"`
		} `json:"signature"`
	} `json:"graph_module"`
	RangeConstraints map[string]struct {
		MinVal json.RawMessage `json:"min_val"`
		MaxVal json.RawMessage `json:"max_val"`
	} `json:"range_constraints"`
	SchemaVersion *struct {
		Major int `json:"major"`
		Minor int `json:"minor"`
	} `json:"schema_version"`
	TorchVersion string `json:"torch_version"`
}

type graph struct {
	SymIntValues map[string]union      `json:"sym_int_values"`
	Inputs       []union               `json:"inputs"`
	Outputs      []union               `json:"outputs"`
	Nodes        []node                `json:"nodes"`
	TensorValues map[string]tensorMeta `json:"tensor_values"`
}

type node struct {
	Target  string     `json:"target"`
	Name    string     `json:"name"`
	Inputs  []namedArg `json:"inputs"`
	Outputs []union    `json:"outputs"`
}

type namedArg struct {
	Name string `json:"name"`
	Arg  union  `json:"arg"`
	Kind int    `json:"kind"` // 1 positional, 2 keyword
}

type tensorMeta struct {
	DType         int     `json:"dtype"`
	Sizes         []union `json:"sizes"`
	Strides       []union `json:"strides"`
	StorageOffset union   `json:"storage_offset"`
}

type tensorArg struct {
	Name string `json:"name"`
}

type weightsConfig struct {
	Config map[string]struct {
		PathName   string     `json:"path_name"`
		UsePickle  bool       `json:"use_pickle"`
		TensorMeta tensorMeta `json:"tensor_meta"`
	} `json:"config"`
}

// symInt is a SymInt union: a static size or a symbolic expression.
type symInt struct {
	Static bool
	Value  int64
	Expr   string // symbol name, or the expression text
}

// symbolRe matches a lone symbol in srepr form: Symbol('s0', positive=True).
var symbolRe = regexp.MustCompile(`^Symbol\('([^']+)'(\s*,\s*[a-z_]+\s*=\s*(True|False))*\s*\)$`)

func parseSymInt(u union) (symInt, error) {
	k, raw := u.kind()
	switch k {
	case "as_int":
		v, err := parseInt(raw)
		return symInt{Static: true, Value: v}, err
	case "as_expr":
		var e struct {
			ExprStr string `json:"expr_str"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return symInt{}, err
		}
		s := strings.TrimSpace(e.ExprStr)
		if err := checkExpr(s); err != nil {
			return symInt{}, err
		}
		if m := symbolRe.FindStringSubmatch(s); m != nil {
			s = m[1]
		}
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return symInt{Static: true, Value: v}, nil
		}
		return symInt{Expr: s}, nil
	}
	return symInt{}, fmt.Errorf("size of kind %q, want as_int or as_expr", k)
}

func parseInt(raw json.RawMessage) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an integer: %s", raw)
	}
	return v, nil
}

// parseFloat reads a float, including the "Infinity", "-Infinity" and "NaN"
// strings the serializer writes for values JSON cannot hold.
func parseFloat(raw json.RawMessage) (float64, error) {
	s := strings.TrimSpace(string(raw))
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return 0, err
		}
		switch str {
		case "Infinity", "inf":
			return math.Inf(1), nil
		case "-Infinity", "-inf":
			return math.Inf(-1), nil
		case "NaN", "nan":
			return math.NaN(), nil
		}
		s = str
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number: %s", raw)
	}
	return v, nil
}

// scalarTypes maps the schema's ScalarType numbers to ir dtype names.
var scalarTypes = map[int]string{
	1: "uint8", 2: "int8", 3: "int16", 4: "int32", 5: "int64", 6: "float16",
	7: "float32", 8: "float64", 12: "bool", 13: "bfloat16", 28: "uint16",
}

// scalarTypeNames names the schema's ScalarType numbers trtc cannot hold,
// for error messages.
var scalarTypeNames = map[int]string{
	0: "UNKNOWN", 9: "COMPLEXHALF", 10: "COMPLEXFLOAT", 11: "COMPLEXDOUBLE",
	29: "FLOAT8E4M3FN", 30: "FLOAT8E5M2", 31: "FLOAT8E4M3FNUZ", 32: "FLOAT8E5M2FNUZ",
}

// checkExpr checks that a symbolic size expression is well formed: sympy's
// srepr form (Mul(Symbol('s0', positive=True), Integer(2))) or infix text
// (2*s0 + 1): names, integers, quoted symbol names, operators, balanced
// parentheses. Anything else is a malformed archive.
func checkExpr(s string) error {
	bad := func(why string) error {
		return fmt.Errorf("malformed symbolic size expression %q: %s", s, why)
	}
	if s == "" {
		return bad("empty")
	}
	if len(s) > 4096 {
		return bad("longer than 4096 characters")
	}
	depth := 0
	prevOperand := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			depth++
			prevOperand = false
			i++
		case c == ')':
			depth--
			if depth < 0 {
				return bad("unbalanced ')'")
			}
			prevOperand = true
			i++
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return bad("unterminated quoted name")
			}
			i += j + 2
			prevOperand = true
		case c >= '0' && c <= '9' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if prevOperand {
				return bad(fmt.Sprintf("two operands without an operator at offset %d", i))
			}
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_' || s[i] == '.' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
				i++
			}
			prevOperand = true
		case strings.IndexByte("+-*/%,=<>!", c) >= 0:
			prevOperand = false
			i++
		default:
			return bad(fmt.Sprintf("unexpected character %q at offset %d", c, i))
		}
	}
	if depth != 0 {
		return bad("unbalanced '('")
	}
	return nil
}
