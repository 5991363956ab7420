// Command wrongsig exports RegisterConverters with the wrong signature.
package main

// RegisterConverters takes nothing, so trtc cannot call it.
func RegisterConverters() error { return nil }

func main() {}
