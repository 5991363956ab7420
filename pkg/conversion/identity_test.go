package conversion

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The build ID read from the ELF note is the one `go tool buildid` prints.
func TestPluginIdentityMatchesGoToolBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	id, err := PluginIdentity(exe)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	if want := strings.TrimSpace(string(out)); id.BuildID != want {
		t.Fatalf("build ID %q, go tool buildid says %q", id.BuildID, want)
	}
	if len(id.SHA256) != 32 {
		t.Fatalf("sha256 has %d bytes", len(id.SHA256))
	}
	bad := filepath.Join(t.TempDir(), "x.so")
	os.WriteFile(bad, []byte("not elf"), 0o644)
	if _, err := PluginIdentity(bad); err == nil || !strings.Contains(err.Error(), "not an ELF file") {
		t.Fatalf("non-ELF file: %v", err)
	}
}
