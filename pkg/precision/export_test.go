package precision

// RulesOff turns the accuracy rules off, so a test can show what they
// prevent. No flag can do this.
func RulesOff(o *Options) { o.rulesOff = true }
