package network

import (
	"strings"
	"testing"
)

func TestEnumNames(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{ElementWiseSUM.String(), "kSUM"}, {ElementWiseLESS.String(), "kLESS"},
		{ElementWiseFLOOR_DIV.String(), "kFLOOR_DIV"},
		{ActivationRELU.String(), "kRELU"}, {ActivationGELU_TANH.String(), "kGELU_TANH"},
		{ActivationHARD_SIGMOID.String(), "kHARD_SIGMOID"},
		{UnaryEXP.String(), "kEXP"}, {UnaryISNAN.String(), "kISNAN"}, {UnaryRECIP.String(), "kRECIP"},
		{UnaryOperation(99).String(), "UnaryOperation(99)"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// Every value of each dense enum has its own TensorRT name, value by
	// value (the names are generated from the constants, make tables).
	check := func(typ string, n int, name func(int32) string) {
		seen := map[string]bool{}
		for v := range int32(n) {
			s := name(v)
			if !strings.HasPrefix(s, "k") || seen[s] {
				t.Errorf("%s(%d) is named %q", typ, v, s)
			}
			seen[s] = true
		}
		if s := name(int32(n)); !strings.HasPrefix(s, typ+"(") {
			t.Errorf("%s(%d), past the last enumerator, is named %q", typ, n, s)
		}
	}
	check("ActivationType", NumActivationType, func(v int32) string { return ActivationType(v).String() })
	check("UnaryOperation", NumUnaryOperation, func(v int32) string { return UnaryOperation(v).String() })
	check("ElementWiseOperation", NumElementWiseOperation, func(v int32) string { return ElementWiseOperation(v).String() })
	check("ReduceOperation", NumReduceOperation, func(v int32) string { return ReduceOperation(v).String() })
	check("GatherMode", NumGatherMode, func(v int32) string { return GatherMode(v).String() })
	check("SampleMode", NumSampleMode, func(v int32) string { return SampleMode(v).String() })
	if ReduceAVG.String() != "kAVG" || GatherND.String() != "kND" || PaddingSAME_LOWER.String() != "kSAME_LOWER" || ResizeSelectorUPPER.String() != "kUPPER" {
		t.Error("enumerator names do not follow the constants")
	}
}
