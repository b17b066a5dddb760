package web

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"liaison/internal/fault"
)

func TestDecodeBody(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type Embedded struct {
		Shared string
	}
	type target struct {
		Embedded
		Name  string                    `json:"name"`
		Inner inner                     `json:"inner"`
		List  []inner                   `json:"list"`
		Tags  map[string]map[string]int `json:"tags"`
	}
	tests := []struct {
		name, body string
		kind       fault.Kind
		field      string
		message    string
	}{
		{"ok", `{"name":"a","inner":{"n":1}}`, "", "", ""},
		{"ok with spaces after", "{\"name\":\"a\"}\n  \n", "", "", ""},
		{"unknown field", `{"colour":"red"}`, fault.Invalid, "colour", "unknown field"},
		{"unknown nested field", `{"inner":{"m":1}}`, fault.Invalid, "inner.m", "unknown field"},
		{"unknown field in an array", `{"list":[{"n":1},{"n":2,"m":3}]}`, fault.Invalid, "list[1].m", "unknown field"},
		{"unknown field after a map and an embedded field", `{"tags":{"x":{"y":1}},"Shared":"s","inner":{"n":1,"N2":2}}`, fault.Invalid, "inner.N2", "unknown field"},
		{"unknown field after a name in another case", `{"NAME":"a","colour":1}`, fault.Invalid, "colour", "unknown field"},
		{"type", `{"name":5}`, fault.Invalid, "name", "expected a string, found number"},
		{"nested type", `{"inner":{"n":"x"}}`, fault.Invalid, "inner.n", "expected an integer"},
		{"type in an array", `{"list":[{"n":1},{"n":2},{"n":"x"}]}`, fault.Invalid, "list[2].n", "expected an integer"},
		{"not an object", `"hello"`, fault.Invalid, "", "expected an object"},
		{"syntax", `{"name": x}`, fault.Invalid, "", "offset 10"},
		{"truncated", `{"name": "a"`, fault.Invalid, "", "ends before"},
		{"empty", ``, fault.Invalid, "", "empty"},
		{"trailing object", `{"name":"a"}{"name":"b"}`, fault.Invalid, "", "after the JSON object"},
		{"trailing garbage", `{"name":"a"} x`, fault.Invalid, "", "after the JSON object"},
		{"too large", `{"name":"` + strings.Repeat("a", 100) + `"}`, fault.TooLarge, "", "exceeds 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			var v target
			err := decodeBody(httptest.NewRecorder(), r, 64, &v)
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if v.Name != "a" {
					t.Errorf("decoded %+v", v)
				}
				return
			}
			if got := fault.KindOf(err); got != tt.kind {
				t.Fatalf("kind %s (err %v), want %s", got, err, tt.kind)
			}
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err %T is not a *fault.Error", err)
			}
			if fe.Field != tt.field {
				t.Errorf("field %q, want %q", fe.Field, tt.field)
			}
			if !strings.Contains(fe.Message, tt.message) {
				t.Errorf("message %q lacks %q", fe.Message, tt.message)
			}
		})
	}
}

func TestErrorResponse(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		status  int
		code    string
		field   string
		message string
		details int
	}{
		{"invalid", fault.Field("seizure.date", "bad date"), 400, "invalid", "seizure.date", "bad date", 0},
		{"unauthorized", fault.E(fault.Unauthorized, "no"), 401, "unauthorized", "", "no", 0},
		{"forbidden", fault.E(fault.Forbidden, "no"), 403, "forbidden", "", "no", 0},
		{"not found", fault.E(fault.NotFound, "gone"), 404, "not_found", "", "gone", 0},
		{"conflict", fault.E(fault.Conflict, "late"), 409, "conflict", "", "late", 0},
		{"too large", fault.E(fault.TooLarge, "big"), 413, "too_large", "", "big", 0},
		{"unavailable", fault.E(fault.Unavailable, "down"), 503, "unavailable", "", "down", 0},
		{"internal hides details", fault.Wrap(fault.Internal, errors.New("disk /var/x full"), "secret"), 500, "internal", "", "internal error", 0},
		{"plain error is internal", errors.New("boom"), 500, "internal", "", "internal error", 0},
		{"wrapped", errors.Join(errors.New("ctx"), fault.E(fault.NotFound, "gone")), 404, "not_found", "", "gone", 0},
		{"list", fault.List{fault.Field("a", "first"), fault.Field("b", "second")}, 400, "invalid", "a", "first", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := errorResponse(tt.err)
			if status != tt.status || body.Error.Code != tt.code || body.Error.Field != tt.field ||
				body.Error.Message != tt.message || len(body.Error.Details) != tt.details {
				b, _ := json.Marshal(body)
				t.Errorf("got %d %s", status, b)
			}
		})
	}
}
