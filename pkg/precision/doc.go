// Package precision holds trtc's precision settings (Options: the
// --fp16/--bf16/--int8/--fp8/--strongly-typed/--keep-fp32/
// --precision-constraints flags) and the autocast pass that lowers a
// strongly typed network's float32 compute to float16 or bfloat16
// (docs/precision.md).
package precision
