// Package version holds trtc's version, recorded in every bundle and checked
// by plugins.
package version

// Version is trtc's release version; the Makefile may override it with
// -ldflags "-X github.com/trtc-dev/trtc/pkg/version.Version=...".
var Version = "0.1.0-dev"
