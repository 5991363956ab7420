package onnx

import (
	"google.golang.org/protobuf/reflect/protoreflect"
)

// unknownFields returns the full name of the first message, anywhere in m,
// that holds bytes our schema does not know, or "".
func unknownFields(m protoreflect.Message) string {
	if len(m.GetUnknown()) > 0 {
		return string(m.Descriptor().FullName())
	}
	found := ""
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len() && found == ""; i++ {
				found = unknownFields(l.Get(i).Message())
			}
		} else {
			found = unknownFields(v.Message())
		}
		return found == ""
	})
	return found
}
