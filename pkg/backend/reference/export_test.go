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

// ArenaTensors counts the tensors the memory plan may place in the arena.
func ArenaTensors(e *Engine) int {
	n := 0
	for _, a := range e.mp.arena {
		if a {
			n++
		}
	}
	return n
}

// ArenaBytes is the size of the largest arena of the engine's run states.
func ArenaBytes(e *Engine) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, s := range e.states {
		n = max(n, s.arenaBytes())
	}
	return n
}

// FoldedLayers counts the layers evaluated at load.
func FoldedLayers(e *Engine) int {
	n := 0
	for si, skip := range e.mp.skip {
		if skip {
			n += len(e.steps[si].layers)
		}
	}
	return n
}
