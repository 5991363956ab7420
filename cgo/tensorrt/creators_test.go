package tensorrt

import (
	"reflect"
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/pkg/network"
)

// trtc_plugin_creators' text: V3One creators with their fields, other
// kinds by kind alone; a malformed line is an error quoting it.
func TestParseCreators(t *testing.T) {
	got, err := parseCreators("Swish\t1\tacme\tPLUGIN CREATOR_V3ONE\talpha:1,mode:6\n\t\t\tPLUGIN CREATOR_V2\t\nNoFields\t2\t\tPLUGIN CREATOR_V3ONE\t\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []network.PluginCreatorInfo{
		{Name: "Swish", Version: "1", Namespace: "acme", Kind: "PLUGIN CREATOR_V3ONE", Fields: []network.PluginFieldInfo{{Name: "alpha", Type: network.PluginFieldFloat32}, {Name: "mode", Type: network.PluginFieldChar}}},
		{Kind: "PLUGIN CREATOR_V2"},
		{Name: "NoFields", Version: "2", Kind: "PLUGIN CREATOR_V3ONE"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{"a\tb\n", "X\t1\t\tK\talpha\n", "X\t1\t\tK\talpha:f\n"} {
		if _, err := parseCreators(bad); err == nil || !strings.Contains(err.Error(), "malformed") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
