package compiler

import (
	"github.com/trtc-dev/trtc/pkg/backend"
	"github.com/trtc-dev/trtc/pkg/ir"
)

// UnusedProfileNames lists the names that the profiles give dims or values
// for but that are neither graph inputs nor inputs of any engine of r: a
// misspelt name in --min-shapes would otherwise be ignored silently.
func UnusedProfileNames(r *Result, profiles []backend.Profile) []string {
	known := map[string]bool{}
	for _, in := range r.Graph.Inputs {
		known[in] = true
	}
	for seg := range r.Engines {
		for _, in := range seg.Inputs {
			known[in] = true
		}
	}
	unused := map[string]bool{}
	for _, p := range profiles {
		for _, m := range []map[string][]int64{p.Min, p.MinValues} {
			for name := range m {
				if !known[name] {
					unused[name] = true
				}
			}
		}
	}
	return ir.SortedKeys(unused)
}
