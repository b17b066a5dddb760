package main

import (
	"regexp"
	"testing"
)

// TestOperationVisibility checks that a record distributed to an operation
// is shown only to the operation's members, administrators and auditors:
// to everyone else it does not exist, whether read, listed, searched or
// asked about through its sub-resources.
func TestOperationVisibility(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testOperationVisibility(t, b) })
	}
}

func testOperationVisibility(t *testing.T, b backend) {
	dir := t.TempDir()
	db := b.db(t, dir)
	admin := initNode(t, dir, "HK", db...)
	tokenOf := func(args ...string) string {
		out := mustLiaison(t, append(append([]string{"user", "add"}, args...), append([]string{"--data", dir}, db...)...)...)
		return regexp.MustCompile(`token: (\S+)`).FindStringSubmatch(out)[1]
	}
	member := tokenOf("mei", "--role", "analyst", "--operation", "OP-JADE")
	other := tokenOf("olaf", "--role", "analyst", "--operation", "OP-OTHER")
	auditor := tokenOf("aude", "--role", "auditor")
	if _, errOut, code := liaison(t, append([]string{"user", "add", "bad", "--role", "analyst", "--operation", "A,B", "--data", dir}, db...)...); code == 0 {
		t.Fatalf("operation with a comma accepted; stderr %q", errOut)
	}
	srv := serve(t, dir, db...)

	hidden := canonical(t)
	hidden["distribution"] = map[string]any{"scope": "operation", "operation": "OP-JADE"}
	code, rec := call(t, "POST", srv.url+"/api/v1/records", member, hidden)
	if code != 201 {
		t.Fatalf("create operation record: %d %v", code, rec)
	}
	id := rec["id"].(string)
	code, open := call(t, "POST", srv.url+"/api/v1/records", other, canonical(t))
	if code != 201 {
		t.Fatalf("create open record: %d %v", code, open)
	}
	openID := open["id"].(string)

	seen := func(token string) []string {
		t.Helper()
		code, list := call(t, "GET", srv.url+"/api/v1/records?q=frozen", token, nil)
		if code != 200 {
			t.Fatalf("search: %d %v", code, list)
		}
		var ids []string
		for _, r := range list["records"].([]any) {
			ids = append(ids, r.(map[string]any)["id"].(string))
		}
		return ids
	}
	for _, tc := range []struct {
		name  string
		token string
		sees  bool
	}{
		{"member", member, true},
		{"admin", admin, true},
		{"auditor", auditor, true},
		{"non-member", other, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := 404
			if tc.sees {
				want = 200
			}
			for _, path := range []string{
				"/api/v1/records/" + id,
				"/api/v1/records/" + id + "/versions",
				"/api/v1/records/" + id + "/versions/1",
				"/api/v1/records/" + id + "/decision?recipient=JP",
				"/api/v1/deliveries?record=" + id,
			} {
				if code, body := call(t, "GET", srv.url+path, tc.token, nil); code != want {
					t.Errorf("GET %s: %d %v, want %d", path, code, body, want)
				}
			}
			ids := seen(tc.token)
			has := func(x string) bool {
				for _, i := range ids {
					if i == x {
						return true
					}
				}
				return false
			}
			if has(id) != tc.sees {
				t.Errorf("search lists the operation record: %v, want %v (ids %v)", has(id), tc.sees, ids)
			}
			if !has(openID) {
				t.Errorf("search misses the open record %s: %v", openID, ids)
			}
		})
	}
	// A non-member can neither change nor retract what it cannot see.
	if code, body := call(t, "POST", srv.url+"/api/v1/records/"+id+"/retract", other, map[string]any{"reason": "test"}); code != 404 {
		t.Errorf("non-member retract: %d %v, want 404", code, body)
	}
	// Paging fills pages with visible records only: with a limit of 1 the
	// non-member gets its own record, then an empty last page, never the
	// hidden record.
	code, page := call(t, "GET", srv.url+"/api/v1/records?limit=1", other, nil)
	if code != 200 || len(page["records"].([]any)) != 1 || page["records"].([]any)[0].(map[string]any)["id"] != openID {
		t.Fatalf("non-member first page: %d %v", code, page)
	}
	if next, _ := page["next"].(string); next != "" {
		code, page = call(t, "GET", srv.url+"/api/v1/records?limit=1&cursor="+next, other, nil)
		if code != 200 || len(page["records"].([]any)) != 0 || page["next"] != nil && page["next"] != "" {
			t.Errorf("non-member second page: %d %v, want empty and last", code, page)
		}
	}
}
