package sharing_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/sharing"
)

// FuzzDecodeAgreement feeds arbitrary bodies to what POST
// /api/v1/agreements reads them with: decoding never panics and refuses a
// body as invalid input, never as an internal error; an agreement it
// accepts validates without panicking, and every problem validation finds
// is invalid input naming its field.
func FuzzDecodeAgreement(f *testing.F) {
	for _, a := range agreement.Seed("HK")[:2] {
		body, err := json.Marshal(a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(body))
	}
	f.Add(`{"id":"hk-kr-cmaa","title":"T","kind":"agreement","binding":true,"parties":[{"code":"HK"},{"code":"KR"}],` +
		`"signed":"2019-05","in_force":"2019-05-13","notes":"Signed.","notes_translations":{"de":"x","fr":" "}}`)
	f.Add(`{"titles":{"zh-hant":""},"signed":"2019-13-40","terminated":null} trailing`)
	f.Add(`{"parties":[{"code":"EU","bloc":true}],"scope":{"kinds":["nothing"]},"unknown":["scope"]}`)
	f.Fuzz(func(t *testing.T, body string) {
		a, err := sharing.DecodeAgreement(strings.NewReader(body))
		if err != nil {
			if k := fault.KindOf(err); k != fault.Invalid {
				t.Fatalf("body %q refused as %v, want invalid input: %v", body, k, err)
			}
			return
		}
		err = a.Validate()
		if err == nil {
			return
		}
		var l fault.List
		if !errors.As(err, &l) || len(l) == 0 {
			t.Fatalf("validation of %q: %v, want a list of field errors", body, err)
		}
		for _, e := range l {
			if e.Kind != fault.Invalid || e.Field == "" || e.Message == "" {
				t.Fatalf("validation of %q: %+v, want invalid input naming its field and saying why", body, e)
			}
		}
	})
}
