package runtime

// SetProbeGPU replaces the GPU probe for a test and returns a function
// that restores it.
func SetProbeGPU(f func() (cc, name string)) (restore func()) {
	old := probeGPU
	probeGPU = f
	return func() { probeGPU = old }
}
