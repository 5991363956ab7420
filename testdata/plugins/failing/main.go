// Command failing is a plugin whose registration fails.
package main

import (
	"errors"

	"github.com/trtc-dev/trtc/pkg/conversion"
)

// RegisterConverters reports that it cannot run here.
func RegisterConverters(r conversion.Registrar) error {
	return errors.New("this plugin needs a license file that is missing")
}

func main() {}
