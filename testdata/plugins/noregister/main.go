// Command noregister is a Go plugin without the registration function.
package main

// Describe is exported, but it is not RegisterConverters.
func Describe() string { return "no converters here" }

func main() {}
