package cli

import (
	"encoding/json"
	"fmt"
	"path"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/trtc-dev/trtc/pkg/conversion"
)

// ConvertersOptions are `trtc converters list`'s inputs.
type ConvertersOptions struct {
	IO      *IO
	Op      string
	Output  string
	Plugins []string
}

// NewCmdConverters builds `trtc converters`.
func NewCmdConverters(streams *IO) *cobra.Command {
	cmd := &cobra.Command{Use: "converters", Short: "Inspect the converter registry"}
	cmd.AddCommand(NewCmdConvertersList(streams, nil))
	return cmd
}

// NewCmdConvertersList builds `trtc converters list`.
func NewCmdConvertersList(streams *IO, runF func(*ConvertersOptions) error) *cobra.Command {
	opts := &ConvertersOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List converters in the order candidates are tried",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opts.Plugins = append(opts.Plugins, streams.extraPlugins...)
			if runF != nil {
				return runF(opts)
			}
			return convertersListRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Op, "op", "", "only targets matching this glob, e.g. 'onnx.Ge*'")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringArrayVar(&opts.Plugins, "plugin", nil, "converter plugin .so to load (repeatable)")
	return cmd
}

// ConverterEntry is one row of `converters list -o json`.
type ConverterEntry struct {
	Op            string `json:"op"`
	Name          string `json:"name"`
	Priority      string `json:"priority"`
	Origin        string `json:"origin"`
	DynamicShapes bool   `json:"dynamic_shapes"`
	Opsets        string `json:"opsets"`
	Description   string `json:"description"`
}

func convertersListRun(opts *ConvertersOptions) error {
	if opts.Output != "table" && opts.Output != "json" {
		return opts.IO.badValue("output", "must be table or json, not %q", opts.Output)
	}
	if opts.Op != "" {
		if _, err := path.Match(opts.Op, ""); err != nil {
			return opts.IO.badValue("op", "%q: %v", opts.Op, err)
		}
	}
	reg, err := loadRegistry(opts.Plugins, opts.IO.Log)
	if err != nil {
		return err
	}
	entries := []ConverterEntry{}
	for _, c := range reg.All() {
		if opts.Op != "" {
			if ok, _ := path.Match(opts.Op, c.Target); !ok {
				continue
			}
		}
		entries = append(entries, ConverterEntry{
			Op: c.Target, Name: c.Name, Priority: c.Priority.String(), Origin: c.Origin,
			DynamicShapes: c.DynamicShapes, Opsets: conversion.OpsetRange(c.OpsetMin, c.OpsetMax),
			Description: c.Description,
		})
	}
	if opts.Output == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OP\tPRIORITY\tORIGIN\tDYNAMIC\tOPSETS\tDESCRIPTION")
	for _, e := range entries {
		dyn := "no"
		if e.DynamicShapes {
			dyn = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Op, e.Priority, e.Origin, dyn, e.Opsets, e.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(entries) == 0 && opts.Op != "" {
		opts.IO.Log.Warn().Str("op", opts.Op).Msg("no converter matches --op")
	}
	return nil
}
