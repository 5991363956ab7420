package reference

// LoadUnfused loads an engine that runs every layer on its own (no
// convolution fusion), the baseline the fused plan is checked against.
func LoadUnfused(blob []byte) (*Engine, error) {
	e, err := Load(blob)
	if err != nil {
		return nil, err
	}
	return newEngineFused(e.p, false), nil
}

// FusedLayers counts the layers fused into convolution steps.
func FusedLayers(e *Engine) int {
	n := 0
	for _, st := range e.steps {
		if st.conv != nil {
			n += len(st.layers) - 1
		}
	}
	return n
}
