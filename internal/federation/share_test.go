package federation

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"liaison/internal/fault"
	"liaison/internal/federation/identity"
)

// TestFetchNodeRefuses checks that a node document is pinned only under a
// code envelopes can come from, and that a URL FetchNode would turn into
// another one is refused.
func TestFetchNodeRefuses(t *testing.T) {
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	code := "JP"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != NodePath {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(NodeInfo{Code: code, PublicKey: identity.EncodePublic(key.Public), Fingerprint: key.Fingerprint()})
	}))
	defer srv.Close()
	ctx := context.Background()
	if info, err := FetchNode(ctx, srv.Client(), srv.URL); err != nil || info.Code != "JP" {
		t.Fatalf("FetchNode = %+v, %v; want JP's document", info, err)
	}
	for _, bad := range []string{"", "jp", "../X", "region:AP", "J P", strings.Repeat("A", 17)} {
		t.Run("code "+bad, func(t *testing.T) {
			code = bad
			_, err := FetchNode(ctx, srv.Client(), srv.URL)
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "is not a node code") {
				t.Fatalf("FetchNode of a document with code %q: %v, want an invalid error naming the code", bad, err)
			}
		})
	}
	code = "JP"
	for _, bad := range []string{srv.URL + "/?x=1", srv.URL + "#top", srv.URL + "?"} {
		t.Run("url "+bad, func(t *testing.T) {
			_, err := FetchNode(ctx, srv.Client(), bad)
			var fe *fault.Error
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "query or fragment") || !errors.As(err, &fe) || fe.Field != "url" {
				t.Fatalf("FetchNode(%q): %v, want an invalid url naming the query or fragment", bad, err)
			}
		})
	}
}
