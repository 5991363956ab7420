package network

import "testing"

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
	if NumActivationTypes != int(ActivationGELU_TANH)+1 || NumUnaryOperations != int(UnaryISNAN)+1 || NumElementWiseOps != int(ElementWiseLESS)+1 {
		t.Error("enum name tables do not cover every enumerator")
	}
}
