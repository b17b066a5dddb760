package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadFlagsOneLine checks that an unknown flag or a flag without its
// value is reported in one line with exit status 2, and that -h lists the
// command's flags with exit status 0.
func TestBadFlagsOneLine(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"import", "x.jsonl", "--colour", "red", "--data", dir},
		{"export", "--data"},
		{"user", "add", "bob", "--role", "analyst", "--bogus", "--data", dir},
	} {
		out, errOut, code := liaison(t, args...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.HasPrefix(errOut, "liaison: ") {
			t.Errorf("liaison %s: exit %d, stdout %q, stderr %q; want exit 2 and one line", strings.Join(args, " "), code, out, errOut)
		}
	}
	_, errOut, code := liaison(t, "export", "-h")
	if code != 0 || !strings.Contains(errOut, "-out") {
		t.Errorf("export -h: exit %d, stderr %q; want exit 0 and the flags", code, errOut)
	}
}

// TestExportRefusesAnUnusableOut checks that an export into a folder, into a
// folder that does not exist or in an unknown format says so and leaves no
// file behind.
func TestExportRefusesAnUnusableOut(t *testing.T) {
	data := t.TempDir()
	initNode(t, data, "HK")
	tmp := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", tmp}, "is a folder"},
		{[]string{"--out", filepath.Join(tmp, "missing", "x.jsonl")}, "folder " + filepath.Join(tmp, "missing") + " does not exist"},
		{[]string{"--out", filepath.Join(tmp, "x.xml"), "--format", "xml"}, `--format "xml"`},
	} {
		_, errOut, code := liaison(t, append([]string{"export", "--data", data}, tc.args...)...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("export %s: exit %d, stderr %q; want an error containing %q", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("refused exports left %d files in %s", len(entries), tmp)
	}
}
