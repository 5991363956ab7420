package cli

import (
	"os"
	"path/filepath"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/conversion"
)

// pluginList gathers plugin paths from --plugin, the config's plugins: and
// TRTC_PLUGINS (a path list).
func pluginList(cfg *viper.Viper) []string {
	var out []string
	out = append(out, cfg.GetStringSlice("plugin")...)
	out = append(out, cfg.GetStringSlice("plugins")...)
	if env := os.Getenv("TRTC_PLUGINS"); env != "" {
		out = append(out, filepath.SplitList(env)...)
	}
	return out
}

// loadRegistry returns the built-in registry plus the given plugins.
func loadRegistry(plugins []string, log zerolog.Logger) (*conversion.Registry, error) {
	reg := converters.Builtin()
	if err := conversion.LoadPlugins(reg, plugins); err != nil {
		return nil, withCode(ExitPlugin, err)
	}
	for _, p := range plugins {
		log.Info().Str("plugin", p).Msg("loaded converter plugin")
	}
	return reg, nil
}
