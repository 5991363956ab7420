package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/pkg/enginecache"
)

// CacheOptions are `trtc cache list|clear`'s inputs.
type CacheOptions struct {
	IO       *IO
	CacheDir string
	Output   string
}

// NewCmdCache builds `trtc cache`.
func NewCmdCache(streams *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "List or clear the engine cache",
		Long: `The engine cache keeps the engines trtc compile builds, keyed by everything an
engine depends on (the segment's graph and weights, shapes and profiles, build
settings, backend and TensorRT version, GPU compute capability, and the trtc
build itself), so that compiling an unchanged model again reuses them. An
entry whose checksum fails is rebuilt, never used.`,
	}
	cmd.AddCommand(newCmdCacheList(streams), newCmdCacheClear(streams))
	return cmd
}

func cacheFlags(cmd *cobra.Command, opts *CacheOptions) {
	cmd.Flags().StringVar(&opts.CacheDir, "cache-dir", "", "engine cache directory (default: the user cache directory's trtc/engines)")
}

func (o *CacheOptions) cache() (*enginecache.Cache, error) {
	dir := o.CacheDir
	if dir == "" {
		var err error
		if dir, err = enginecache.DefaultDir(); err != nil {
			return nil, withCode(ExitInput, err)
		}
	}
	return &enginecache.Cache{Dir: dir}, nil
}

func newCmdCacheList(streams *IO) *cobra.Command {
	opts := &CacheOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "list [-o text|json]",
		Short: "List the engine cache's entries",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if opts.Output != "text" && opts.Output != "json" {
				return opts.IO.badValue("output", "must be text or json, not %q", opts.Output)
			}
			c, err := opts.cache()
			if err != nil {
				return err
			}
			entries, err := c.List()
			if err != nil {
				return withCode(ExitInput, err)
			}
			if opts.Output == "json" {
				return writeJSON(opts.IO.Out, struct {
					Dir     string             `json:"dir"`
					Entries []enginecache.Meta `json:"entries"`
				}{c.Dir, entries})
			}
			var total int64
			w := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "KEY\tBACKEND\tVERSION\tCOMPUTE\tLAYERS\tBYTES\tCREATED\tMODEL")
			for _, e := range entries {
				total += e.Size
				cc := e.Target.ComputeCapability
				if cc == "" {
					cc = "-"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s#%d\n", e.Key[:16], e.Target.Backend, e.Target.Version, cc, e.Layers, e.Size,
					e.Created.Format("2006-01-02 15:04:05"), e.Model, e.Segment)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(opts.IO.Out, "%d entr%s, %d bytes, in %s\n", len(entries), plural(len(entries), "y", "ies"), total, c.Dir)
			return nil
		},
	}
	cacheFlags(cmd, opts)
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	return cmd
}

func newCmdCacheClear(streams *IO) *cobra.Command {
	opts := &CacheOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "clear",
		Short: "Remove every entry of the engine cache",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			c, err := opts.cache()
			if err != nil {
				return err
			}
			n, bytes, err := c.Clear()
			if err != nil {
				return withCode(ExitInput, err)
			}
			fmt.Fprintf(opts.IO.Out, "removed %d entr%s (%d bytes) from %s\n", n, plural(n, "y", "ies"), bytes, c.Dir)
			return nil
		},
	}
	cacheFlags(cmd, opts)
	return cmd
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
