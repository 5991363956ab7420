// Package reference is the pure-Go backend: it records network layers into a
// plan, checks shapes and dtypes as TensorRT does when layers are added,
// serializes the plan as the engine blob, and executes it on the CPU with
// TensorRT's documented semantics. It is the default where TensorRT is absent
// and the oracle converters are tested against.
//
// Each layer kind is one kindImpl (infer + run), registered from the file of
// its family (layers_elementwise.go, layers_shuffle.go, ...). When every
// input of a layer is a build-time constant the layer is evaluated at build
// time, as TensorRT folds constants, so shape tensors of static shapes stay
// static.
//
// When a network is built (Build, Serialize, SerializeWith), shapetensor.go
// infers its shape tensors as TensorRT does and refuses the network when one
// breaks TensorRT's rules; profiles.go resolves the optimization profiles
// (backend.ResolveProfiles), records them in the plan, and makes Run refuse
// bindings outside them. describe.go lists a plan's layers for `inspect
// --layers`.
package reference
