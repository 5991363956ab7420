package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"github.com/trtc-dev/trtc/internal/editdist"
	"github.com/trtc-dev/trtc/internal/safefile"
	"go.yaml.in/yaml/v3"
)

// One configuration path. Every flag of every command (except --help and
// --config itself) takes its value from, in order of precedence:
//
//  1. the flag on the command line;
//  2. the environment variable TRTC_<FLAG> (upper case, '-' as '_'), when
//     set and not empty;
//  3. the config file: a key in the section named after the command
//     (compile:, run:, compare:, bench:, inspect:, devices:, converters:, cache:, version:),
//     then a top-level key;
//  4. the flag's default.
//
// Viper reads the file and the environment and has the flags bound, so
// v.Get agrees with what the commands use; resolveConfig then writes the
// winning value into the flag itself, through the flag's own parser, so
// that every command reads its options from one place (the variables its
// flags are bound to) and every value is type-checked the same way. Each
// bad value is reported with its key, where it came from (flag, env var,
// file:line) and the value; unknown config keys are errors that name the
// closest known key.

// source says where a resolved setting came from.
type source struct {
	kind  int    // srcDefault, srcFlag, srcEnv or srcFile
	where string // "--min-block-size", "TRTC_MIN_BLOCK_SIZE", "trtc.yaml:3"
}

const (
	srcDefault = iota
	srcFlag
	srcEnv
	srcFile
)

func (s source) String() string {
	switch s.kind {
	case srcFlag:
		return "flag " + s.where
	case srcEnv:
		return "env " + s.where
	case srcFile:
		return s.where
	}
	return "default"
}

// extraConfigKeys are config keys that are not flags: plugins: (a list of
// plugin paths added to --plugin's). TRTC_PLUGINS is its environment form,
// a path list.
var extraConfigKeys = []string{"plugins"}

// EnvName is the environment variable for a flag.
func EnvName(flag string) string {
	return "TRTC_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// maxConfigBytes bounds a config file: settings take a few hundred bytes.
const maxConfigBytes = 1 << 20

// configFile is a parsed config file.
type configFile struct {
	path string
	top  map[string]*yaml.Node
	// sections maps a section name to its keys.
	sections map[string]map[string]*yaml.Node
}

// loadConfigFile reads and checks a config file; root is the command tree
// (for the known keys). A missing default ./trtc.yaml is no error.
func loadConfigFile(path string, root *cobra.Command, v *viper.Viper) (*configFile, error) {
	// safefile: a FIFO or a device named as the config is refused at once
	// (not waited on or read without end), and the size is checked on the
	// open file.
	data, err := safefile.ReadFile(path, maxConfigBytes)
	if err != nil {
		return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s: %w", path, err)}
	}
	cf := &configFile{path: path, top: map[string]*yaml.Node{}, sections: map[string]map[string]*yaml.Node{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s: %w", path, err)}
	}
	if len(doc.Content) == 0 { // empty file
		return cf, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s:%d: want a mapping of settings (key: value), got %s", path, m.Line, kindName(m))}
	}
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s: %w", path, err)}
	}
	all := knownFlags(root)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, val := m.Content[i], m.Content[i+1]
		key := k.Value
		if isSection(root, key) {
			if val.Kind != yaml.MappingNode {
				return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s:%d: section %s: want a mapping of %s's settings, got %s", path, val.Line, key, key, kindName(val))}
			}
			sec := map[string]*yaml.Node{}
			known := sectionFlags(root, key)
			for j := 0; j+1 < len(val.Content); j += 2 {
				sk := val.Content[j]
				if _, ok := known[sk.Value]; !ok {
					return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s:%d: unknown key %s.%s%s", path, sk.Line, key, sk.Value, closestHint(sk.Value, known))}
				}
				if _, dup := sec[sk.Value]; dup {
					return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s:%d: key %s.%s is given twice", path, sk.Line, key, sk.Value)}
				}
				sec[sk.Value] = val.Content[j+1]
			}
			cf.sections[key] = sec
			continue
		}
		if _, ok := all[key]; !ok {
			return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s:%d: unknown key %s%s", path, k.Line, key, closestHint(key, all))}
		}
		if _, dup := cf.top[key]; dup {
			return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("config %s:%d: key %s is given twice", path, k.Line, key)}
		}
		cf.top[key] = val
	}
	return cf, nil
}

// isSection says whether key names a command: its section holds settings
// for that command (and its subcommands) only.
func isSection(root *cobra.Command, key string) bool {
	for _, c := range root.Commands() {
		if c.Name() == key && c.Name() != "help" && c.Name() != "completion" {
			return true
		}
	}
	return false
}

// knownFlags is every flag name of every command, plus extraConfigKeys.
func knownFlags(root *cobra.Command) map[string]bool {
	out := map[string]bool{}
	for _, k := range extraConfigKeys {
		out[k] = true
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) {
			if f.Name != "help" && f.Name != "config" {
				out[f.Name] = true
			}
		}
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// sectionFlags is the flags of the command named section and its
// subcommands, plus the global ones.
func sectionFlags(root *cobra.Command, section string) map[string]bool {
	out := map[string]bool{}
	for _, c := range root.Commands() {
		if c.Name() == section {
			for k := range knownFlags(c) {
				out[k] = true
			}
		}
	}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "config" {
			out[f.Name] = true
		}
	})
	if section == "compile" || section == "compare" || section == "converters" {
		out["plugins"] = true
	} else {
		delete(out, "plugins")
	}
	return out
}

// value finds key for the command cmd: its section first, then the top
// level.
func (cf *configFile) value(cmd *cobra.Command, key string) (*yaml.Node, bool) {
	if cf == nil {
		return nil, false
	}
	top := cmd
	for top.HasParent() && top.Parent().HasParent() {
		top = top.Parent()
	}
	if top.HasParent() {
		if n, ok := cf.sections[top.Name()][key]; ok {
			return n, true
		}
	}
	n, ok := cf.top[key]
	return n, ok
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// closestHint says which known key is nearest to key, if any is near.
func closestHint(key string, known map[string]bool) string {
	best, bestD := "", 1<<30
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if d := editDistance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" || bestD > max(2, len(key)/2) {
		return " (no known key is close; see trtc <command> --help)"
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the Levenshtein distance; '_' and '-' are the same.
func editDistance(a, b string) int {
	return editdist.Levenshtein(strings.ReplaceAll(a, "_", "-"), strings.ReplaceAll(b, "_", "-"))
}

// configPath picks the config file: --config, then TRTC_CONFIG, then
// ./trtc.yaml if it exists; "" for none.
func configPath(cmd *cobra.Command) (string, source) {
	if f := cmd.Flags().Lookup("config"); f != nil && f.Changed {
		return f.Value.String(), source{srcFlag, "--config"}
	}
	if p, ok := os.LookupEnv("TRTC_CONFIG"); ok && p != "" {
		return p, source{srcEnv, "TRTC_CONFIG"}
	}
	if _, err := os.Stat("trtc.yaml"); err == nil {
		return "trtc.yaml", source{srcDefault, ""}
	}
	return "", source{}
}

// resolveConfig applies environment and config file values to cmd's flags
// that the command line did not set, and records where each came from.
func resolveConfig(cmd *cobra.Command, streams *IO) error {
	v := streams.Config
	streams.sources = map[string]source{}
	root := cmd.Root()
	path, _ := configPath(cmd)
	var cf *configFile
	if path != "" {
		var err error
		if cf, err = loadConfigFile(path, root, v); err != nil {
			return err
		}
	}
	v.SetEnvPrefix("TRTC")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	var errs []error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" || f.Name == "config" {
			return
		}
		if err := v.BindPFlag(f.Name, f); err != nil {
			errs = append(errs, err)
		}
		if err := v.BindEnv(f.Name, EnvName(f.Name)); err != nil {
			errs = append(errs, err)
		}
		if f.Changed {
			streams.sources[f.Name] = source{srcFlag, "--" + f.Name}
			return
		}
		// An empty variable counts as unset, as shells make it easy to
		// leave one behind (TRTC_REPORT= trtc ...).
		if env := os.Getenv(EnvName(f.Name)); env != "" {
			src := source{srcEnv, EnvName(f.Name)}
			if err := setFlag(f, []string{env}, src); err != nil {
				errs = append(errs, err)
				return
			}
			streams.sources[f.Name] = src
			return
		}
		if n, ok := cf.value(cmd, f.Name); ok {
			src := source{srcFile, fmt.Sprintf("%s:%d", cf.path, n.Line)}
			vals, err := nodeStrings(f, n, src)
			if err == nil {
				err = setFlag(f, vals, src)
			}
			if err != nil {
				errs = append(errs, err)
				return
			}
			streams.sources[f.Name] = src
		}
	})
	// plugins: and TRTC_PLUGINS add to --plugin's list.
	streams.extraPlugins = nil
	if n, ok := cf.value(cmd, "plugins"); ok && cmd.Flags().Lookup("plugin") != nil {
		src := source{srcFile, fmt.Sprintf("%s:%d", cf.path, n.Line)}
		vals, err := nodeStrings(&pflag.Flag{Name: "plugins", Value: &listType{}}, n, src)
		if err != nil {
			errs = append(errs, err)
		}
		streams.extraPlugins = append(streams.extraPlugins, vals...)
	}
	if env := os.Getenv("TRTC_PLUGINS"); env != "" && cmd.Flags().Lookup("plugin") != nil {
		streams.extraPlugins = append(streams.extraPlugins, filepath.SplitList(env)...)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

// listType only names a list for nodeStrings.
type listType struct{}

func (*listType) String() string   { return "" }
func (*listType) Set(string) error { return nil }
func (*listType) Type() string     { return "stringArray" }

func isList(f *pflag.Flag) bool {
	t := f.Value.Type()
	return strings.HasSuffix(t, "Slice") || strings.HasSuffix(t, "Array")
}

// nodeStrings turns a config value into the strings the flag's parser
// takes: a scalar, or for list flags a list of scalars (or one scalar).
func nodeStrings(f *pflag.Flag, n *yaml.Node, src source) ([]string, error) {
	bad := func(why string) error {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("config key %s (%s): %s, want %s", f.Name, src, why, typeWant(f))}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, bad("no value")
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		if !isList(f) {
			return nil, bad("a list")
		}
		out := make([]string, 0, len(n.Content))
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
				return nil, bad(fmt.Sprintf("list element at line %d is %s", e.Line, kindName(e)))
			}
			out = append(out, e.Value)
		}
		return out, nil
	}
	return nil, bad(kindName(n))
}

func typeWant(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	}
	if isList(f) {
		return "a string or a list of strings"
	}
	return "a " + f.Value.Type()
}

// setFlag parses vals into the flag through the flag's own parser. A list
// flag takes every value (its first Set replaces the default); a scalar
// flag exactly one.
func setFlag(f *pflag.Flag, vals []string, src source) error {
	code := ExitUsage
	if src.kind == srcFile {
		code = ExitInput
	}
	for _, s := range vals {
		if err := f.Value.Set(s); err != nil {
			return &ExitError{Code: code, Err: fmt.Errorf("%s (%s): %q is not %s", f.Name, src, s, typeWant(f))}
		}
	}
	return nil
}

// where names a setting and its source for error messages: "--workspace"
// for a flag or default, "workspace (env TRTC_WORKSPACE)" or
// "workspace (trtc.yaml:4)" otherwise.
func (s *IO) where(name string) string {
	if s == nil || s.sources == nil {
		return "--" + name
	}
	src, ok := s.sources[name]
	if !ok || src.kind == srcFlag || src.kind == srcDefault {
		return "--" + name
	}
	return fmt.Sprintf("%s (%s)", name, src)
}

// badValue is an error in the value of setting name: exit 3 when it came
// from the config file, 2 otherwise; the message starts with where().
func (s *IO) badValue(name, format string, args ...any) error {
	code := ExitUsage
	if s != nil && s.sources != nil && s.sources[name].kind == srcFile {
		code = ExitInput
	}
	return &ExitError{Code: code, Err: fmt.Errorf("%s: %s", s.where(name), fmt.Sprintf(format, args...))}
}
