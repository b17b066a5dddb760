package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMigrations(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("CREATE TABLE x (a int);")}
	tests := []struct {
		name    string
		files   []string
		want    []int
		wantErr string
	}{
		{"in order", []string{"0002_b.sql", "0001_a.sql", "0003_c.sql"}, []int{1, 2, 3}, ""},
		{"ignores other files", []string{"0001_a.sql", "README.md"}, []int{1}, ""},
		{"empty", nil, nil, ""},
		{"gap", []string{"0001_a.sql", "0003_c.sql"}, nil, "expected version 2"},
		{"repeat", []string{"0001_a.sql", "0001_b.sql"}, nil, "expected version 2"},
		{"no number", []string{"init.sql"}, nil, "NNNN_name.sql"},
		{"not a number", []string{"one_init.sql"}, nil, "positive number"},
		{"zero", []string{"0000_init.sql"}, nil, "positive number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tc.files {
				fsys["m/"+f] = sql
			}
			ms, err := LoadMigrations(fsys, "m")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != len(tc.want) {
				t.Fatalf("%d migrations, want %d", len(ms), len(tc.want))
			}
			for i, m := range ms {
				if m.Version != tc.want[i] || m.SQL != string(sql.Data) {
					t.Errorf("migration %d = %d %q", i, m.Version, m.SQL)
				}
			}
		})
	}
}
