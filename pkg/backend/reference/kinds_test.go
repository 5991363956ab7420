package reference

import (
	"testing"

	"github.com/trtc-dev/trtc/pkg/network"
)

// Every layer kind of the network API has an implementation here.
func TestEveryKindImplemented(t *testing.T) {
	for _, k := range network.Kinds {
		if !Implements(k) {
			t.Errorf("layer kind %s has no reference implementation", k)
		}
	}
}
