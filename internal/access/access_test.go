package access

import (
	"strings"
	"testing"

	"liaison/internal/store"
)

func TestGenerateToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := GenerateToken()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, TokenPrefix) {
			t.Fatalf("token %q lacks prefix %q", tok, TokenPrefix)
		}
		if got, want := len(tok), len(TokenPrefix)+52; got != want {
			t.Fatalf("token length %d, want %d", got, want)
		}
		if tok != strings.ToLower(tok) {
			t.Fatalf("token %q is not lowercase", tok)
		}
		if !LooksLikeToken(tok) {
			t.Fatalf("LooksLikeToken(%q) = false", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q generated twice", tok)
		}
		seen[tok] = true
	}
}

func TestLooksLikeToken(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"lia_", false},
		{"lia_" + strings.Repeat("a", 52), true},
		{"lia_" + strings.Repeat("a", 51), false},
		{"lia_" + strings.Repeat("A", 52), false},
		{"xyz_" + strings.Repeat("a", 52), false},
		{"lia_" + strings.Repeat("1", 52), false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := LooksLikeToken(tt.in); got != tt.want {
				t.Errorf("LooksLikeToken(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestHashToken(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// SHA-256 of the empty string and of "abc" (FIPS 180-2 test vector).
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := HashToken(tt.in); got != tt.want {
				t.Errorf("HashToken(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestAllowed(t *testing.T) {
	// want lists the permissions each role holds; every other pair is denied.
	want := map[string][]Permission{
		store.RoleAdmin:   Permissions(),
		store.RoleLiaison: {PermRecordRead, PermRecordWrite, PermDirectoryRead, PermAgreementWrite, PermConsent, PermShare},
		store.RoleAnalyst: {PermRecordRead, PermRecordWrite, PermDirectoryRead},
		store.RoleAuditor: {PermRecordRead, PermAuditRead, PermDirectoryRead},
		"":                nil,
		"root":            nil,
	}
	for role, perms := range want {
		has := map[Permission]bool{}
		for _, p := range perms {
			has[p] = true
		}
		for _, p := range Permissions() {
			t.Run(role+"/"+string(p), func(t *testing.T) {
				if got := Allowed(role, p); got != has[p] {
					t.Errorf("Allowed(%q, %s) = %v, want %v", role, p, got, has[p])
				}
			})
		}
	}
}

func TestAuditorNeverWrites(t *testing.T) {
	for _, p := range []Permission{PermRecordWrite, PermUserManage, PermAgreementWrite, PermConsent} {
		if Allowed(store.RoleAuditor, p) {
			t.Errorf("auditor allowed %s", p)
		}
	}
}

func TestValidRole(t *testing.T) {
	for _, r := range Roles() {
		if !ValidRole(r) {
			t.Errorf("ValidRole(%q) = false", r)
		}
	}
	for _, r := range []string{"", "Admin", "superuser", "analyst "} {
		if ValidRole(r) {
			t.Errorf("ValidRole(%q) = true", r)
		}
	}
}

func TestDescribeEveryPermission(t *testing.T) {
	for _, p := range Permissions() {
		if d := Describe(p); d == string(p) || d == "" {
			t.Errorf("Describe(%s) = %q, want a phrase", p, d)
		}
	}
}
