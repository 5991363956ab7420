//go:build race

package reference_test

// raceEnabled: the race detector instruments allocations and makes
// sync.Pool drop items at random, so allocation counts mean nothing there.
const raceEnabled = true
