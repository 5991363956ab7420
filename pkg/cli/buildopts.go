package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trtc-dev/trtc/pkg/backend"
)

// buildOptions turns `trtc compile`'s engine build flags into
// backend.BuildOptions. Errors are usage errors that name the flag. A
// profile entry is an input's dims, or, for an input the engine uses as a
// shape tensor, its values (the backend tells which: backend.
// ResolveProfiles).
func buildOptions(o *CompileOptions) (backend.BuildOptions, error) {
	var b backend.BuildOptions
	var err error
	if b.Profiles, err = parseProfiles(o.IO, o.MinShapes, o.OptShapes, o.MaxShapes); err != nil {
		return b, err
	}
	if o.Workspace != "" {
		if b.WorkspaceBytes, err = parseBytes(o.Workspace); err != nil {
			return b, o.IO.badValue("workspace", "%q: %v", o.Workspace, err)
		}
	}
	if o.OptimizationLevel != -1 {
		if o.OptimizationLevel < 0 || o.OptimizationLevel > 5 {
			return b, o.IO.badValue("builder-optimization-level", "must be 0..5, got %d", o.OptimizationLevel)
		}
		b.OptimizationLevel, b.OptimizationLevelSet = o.OptimizationLevel, true
	}
	switch o.HardwareCompatibility {
	case "", "none", "ampere+", "same-compute-capability":
		b.HardwareCompatibility = o.HardwareCompatibility
	default:
		return b, o.IO.badValue("hardware-compatibility", "must be none, ampere+ or same-compute-capability, not %q", o.HardwareCompatibility)
	}
	b.TimingCache = o.TimingCache
	b.VersionCompatible = o.VersionCompatible
	return b, nil
}

// parseProfiles reads trtexec-style shape lists: the Nth --min-shapes,
// --opt-shapes and --max-shapes values form profile N and must name the same
// inputs with the same ranks.
func parseProfiles(streams *IO, mins, opts, maxs []string) ([]backend.Profile, error) {
	if len(mins) != len(opts) || len(mins) != len(maxs) {
		return nil, streams.badValue("min-shapes", "--min-shapes, --opt-shapes and --max-shapes must be given together, once per profile (got %d, %d and %d)", len(mins), len(opts), len(maxs))
	}
	var out []backend.Profile
	for i := range mins {
		var p backend.Profile
		var err error
		if p.Min, err = parseShapeList(streams, "min-shapes", mins[i]); err != nil {
			return nil, err
		}
		if p.Opt, err = parseShapeList(streams, "opt-shapes", opts[i]); err != nil {
			return nil, err
		}
		if p.Max, err = parseShapeList(streams, "max-shapes", maxs[i]); err != nil {
			return nil, err
		}
		for name, mn := range p.Min {
			op, ok1 := p.Opt[name]
			mx, ok2 := p.Max[name]
			if !ok1 || !ok2 {
				return nil, streams.badValue("min-shapes", "profile %d: input %q is in --min-shapes but not in --opt-shapes and --max-shapes", i, name)
			}
			if len(op) != len(mn) || len(mx) != len(mn) {
				return nil, streams.badValue("min-shapes", "profile %d: input %q has ranks %d, %d and %d in --min/--opt/--max-shapes", i, name, len(mn), len(op), len(mx))
			}
			for d := range mn {
				if mn[d] > op[d] || op[d] > mx[d] {
					return nil, streams.badValue("min-shapes", "profile %d: input %q dim %d: want min <= opt <= max, got %d, %d, %d", i, name, d, mn[d], op[d], mx[d])
				}
			}
		}
		if len(p.Opt) != len(p.Min) || len(p.Max) != len(p.Min) {
			return nil, streams.badValue("min-shapes", "profile %d: --min-shapes, --opt-shapes and --max-shapes name different inputs", i)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseShapeList reads "name:1x3x224x224,name2:4x8". Each list is an
// input's dims, or a shape-tensor input's values (trtexec's syntax), which
// may be negative (-1, a reshape wildcard); dims are checked against the
// network by the backend.
func parseShapeList(streams *IO, flag, s string) (map[string][]int64, error) {
	out := map[string][]int64{}
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		i := strings.LastIndexByte(e, ':')
		if i <= 0 {
			return nil, streams.badValue(flag, "%q: want NAME:DIMS[,NAME:DIMS...] such as input:1x3x224x224", e)
		}
		var dims []int64
		if list := strings.TrimSpace(e[i+1:]); list != "" {
			for _, f := range strings.Split(list, "x") {
				d, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
				if err != nil {
					return nil, streams.badValue(flag, "%q: %q is not a number (profile dims and values are numbers separated by x)", e, f)
				}
				dims = append(dims, d)
			}
		}
		if _, dup := out[e[:i]]; dup {
			return nil, streams.badValue(flag, "input %q is given twice", e[:i])
		}
		out[e[:i]] = dims
	}
	return out, nil
}

// parseBytes reads a size: a number of bytes or one with a KiB/MiB/GiB
// (or K/M/G, powers of 1024) suffix.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("want a positive size such as 4GiB, 512MiB or 1048576")
	}
	if v > (1<<62)/mult {
		return 0, fmt.Errorf("size too large")
	}
	return v * mult, nil
}
