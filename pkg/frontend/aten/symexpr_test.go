package aten

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckExpr(t *testing.T) {
	for _, ok := range []string{
		"Symbol('s75', positive=True, integer=True)",
		"Mul(Symbol('s75', positive=True, integer=True), Symbol('s95', positive=True, integer=True))",
		"FloorDiv(Add(Symbol('s0'), Integer(-1)), Integer(2))",
		"2*s0 + 1", "((s0 - 1)//2) + 1", "Max(1, s0)",
	} {
		if err := checkExpr(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Mul(Symbol('s0'), ", "s0 $ 2", "s0)", "Symbol('s0", "s0 s1", strings.Repeat("(", 5000)} {
		if err := checkExpr(bad); err == nil || !strings.Contains(err.Error(), "malformed symbolic size expression") {
			t.Errorf("%q: got %v, want a malformed-expression error", bad, err)
		}
	}
}

func TestParseSymIntNames(t *testing.T) {
	for in, want := range map[string]string{
		`{"as_expr": {"expr_str": "Symbol('s75', positive=True, integer=True)"}}`: "s75",
		`{"as_expr": {"expr_str": "s3"}}`:                                         "s3",
		`{"as_expr": {"expr_str": "Symbol('s0') + 1"}}`:                           "Symbol('s0') + 1",
		`{"as_expr": {"expr_str": "12"}}`:                                         "",
	} {
		var u union
		if err := json.Unmarshal([]byte(in), &u); err != nil {
			t.Fatal(err)
		}
		s, err := parseSymInt(u)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if want == "" {
			if !s.Static || s.Value != 12 {
				t.Errorf("%s: %+v, want static 12", in, s)
			}
			continue
		}
		if s.Static || s.Expr != want {
			t.Errorf("%s: %+v, want symbol %q", in, s, want)
		}
	}
}
