// Command badtarget registers a converter for a malformed target key.
package main

import "github.com/trtc-dev/trtc/pkg/conversion"

// RegisterConverters names an ATen op without its overload.
func RegisterConverters(r conversion.Registrar) error {
	return r.Register(conversion.Converter{
		Target:  "aten.gelu",
		Convert: func(*conversion.Context, *conversion.Node) error { return nil },
	})
}

func main() {}
