package network

import "testing"

func TestEveryKindHasALayerType(t *testing.T) {
	seen := map[string]LayerKind{}
	for _, k := range Kinds {
		lt := k.LayerType()
		if lt == "" {
			t.Errorf("layer kind %s has no TensorRT LayerType", k)
			continue
		}
		if prev, dup := seen[lt]; dup {
			t.Errorf("layer kinds %s and %s both map to LayerType %s", prev, k, lt)
		}
		seen[lt] = k
	}
	if KindInput.LayerType() != "" {
		t.Errorf("Input is not a TensorRT layer, got LayerType %q", KindInput.LayerType())
	}
}
