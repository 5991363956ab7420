package tensorrt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trtc-dev/trtc/pkg/network"
)

// parseCreators reads trtc_plugin_creators' text.
func parseCreators(text string) ([]network.PluginCreatorInfo, error) {
	var out []network.PluginCreatorInfo
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("listing TensorRT plugin creators: malformed entry %q", line)
		}
		c := network.PluginCreatorInfo{Name: f[0], Version: f[1], Namespace: f[2], Kind: f[3]}
		if f[4] != "" {
			for _, field := range strings.Split(f[4], ",") {
				i := strings.LastIndexByte(field, ':')
				t, err := strconv.Atoi(field[i+1:])
				if i < 0 || err != nil {
					return nil, fmt.Errorf("listing TensorRT plugin creators: malformed field %q of %s", field, f[0])
				}
				c.Fields = append(c.Fields, network.PluginFieldInfo{Name: field[:i], Type: network.PluginFieldType(t)})
			}
		}
		out = append(out, c)
	}
	return out, nil
}
