// Package plugintest reproduces Torch-TensorRT's custom-converter tutorial
// with built binaries: trtc and converter plugins are compiled with the same
// flags (as `make build plugins` does), and the trtc binary is run on the
// GeLU models with and without the gelu_tanh plugin. It also checks every
// way a plugin can fail to load. Building takes a minute on two cores, so
// the tests skip under -short.
package plugintest
