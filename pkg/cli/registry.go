package cli

import (
	"github.com/rs/zerolog"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/conversion"
	"github.com/trtc-dev/trtc/pkg/conversion/pluginload"
)

// loadRegistry returns the built-in registry plus the given plugins.
func loadRegistry(plugins []string, log zerolog.Logger) (*conversion.Registry, error) {
	reg := converters.Builtin()
	if err := pluginload.Load(reg, plugins); err != nil {
		return nil, withCode(ExitPlugin, err)
	}
	for _, p := range plugins {
		log.Info().Str("plugin", p).Msg("loaded converter plugin")
	}
	return reg, nil
}
