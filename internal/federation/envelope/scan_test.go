package envelope

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	josejson "github.com/go-jose/go-jose/v4/json"

	"liaison/internal/federation/identity"
)

// TestScanBodyAgreesWithDecoder checks that every payload scanBody reads
// is read the same by the strict decoder, and that it leaves every other
// form to that decoder.
func TestScanBodyAgreesWithDecoder(t *testing.T) {
	const good = `{"id":"01M8BMRD80Q7ZB1N6V3W8C2D4E","type":"record.create","from":"HK","to":["JP","region:AP"],"created":"2026-11-26T10:00:00.123Z","payload":{"a":[1,2,{"b":"<&>"}]}}`
	tests := []struct {
		name    string
		in      string
		scanned bool
	}{
		{"as signed", good, true},
		{"no recipient", `{"id":"X","type":"ack","from":"HK","to":[],"created":"2026-11-26T10:00:00Z","payload":{}}`, true},
		{"whitespace", `{"id": "X","type":"ack","from":"HK","to":[],"created":"2026-11-26T10:00:00Z","payload":{}}`, false},
		{"members in another order", `{"type":"ack","id":"X","from":"HK","to":[],"created":"2026-11-26T10:00:00Z","payload":{}}`, false},
		{"escape in a string", `{"id":"X\u0041","type":"ack","from":"HK","to":[],"created":"2026-11-26T10:00:00Z","payload":{}}`, false},
		{"duplicate member after payload", `{"id":"X","type":"ack","from":"HK","to":[],"created":"2026-11-26T10:00:00Z","payload":{},"id":"Y"}`, false},
		{"unknown member", `{"id":"X","type":"ack","from":"HK","to":[],"created":"2026-11-26T10:00:00Z","payload":{},"x":1}`, false},
		{"payload not valid", `{"id":"X","type":"ack","from":"HK","to":[],"created":"2026-11-26T10:00:00Z","payload":{"a":}}`, false},
		{"two values as payload", `{"id":"X","type":"ack","from":"HK","to":[],"created":"2026-11-26T10:00:00Z","payload":{}}}`, false},
		{"bad time", `{"id":"X","type":"ack","from":"HK","to":[],"created":"yesterday","payload":{}}`, false},
		{"null recipients", `{"id":"X","type":"ack","from":"HK","to":null,"created":"2026-11-26T10:00:00Z","payload":{}}`, false},
		{"non-ASCII", `{"id":"X","type":"ack","from":"HKé","to":[],"created":"2026-11-26T10:00:00Z","payload":{}}`, false},
		{"trailing space", good + " ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := scanBody([]byte(tt.in))
			if ok != tt.scanned {
				t.Fatalf("scanBody read it: %v, want %v", ok, tt.scanned)
			}
			if !ok {
				return
			}
			var want body
			if err := josejson.Unmarshal([]byte(tt.in), &want); err != nil {
				t.Fatalf("the decoder refuses what scanBody read: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("scanBody = %+v, decoder = %+v", got, want)
			}
		})
	}
}

func TestScanPlainBatch(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		scanned bool
	}{
		{`["a.b.c"]`, []string{"a.b.c"}, true},
		{" [ \"a.b.c\" ,\n\"d-_.e.f\" ] \n", []string{"a.b.c", "d-_.e.f"}, true},
		{`[]`, nil, false},
		{`["a\u002eb"]`, nil, false},
		{`["a.b.c",]`, nil, false},
		{`["a.b.c"] x`, nil, false},
		{`["a.b.c"`, nil, false},
		// Other printable characters need no decoding either: the items
		// are what the decoder gives.
		{`["a b!~"]`, []string{"a b!~"}, true},
		{"[\"a\tb\"]", nil, false},
		{`["a\"b"]`, nil, false},
		{`["a\\b"]`, nil, false},
		{`["日本"]`, nil, false},
		{"[\"abcdefgh\x7fijklmnop\"]", []string{"abcdefgh\x7fijklmnop"}, true},
		{"[\"abcdefgh\x01ijklmnop\"]", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := scanPlainBatch([]byte(tt.in))
			if ok != tt.scanned {
				t.Fatalf("scanned %v, want %v", ok, tt.scanned)
			}
			if !ok {
				return
			}
			var ss, decoded []string
			for _, it := range got {
				ss = append(ss, string(it))
			}
			if !reflect.DeepEqual(ss, tt.want) {
				t.Errorf("items %q, want %q", ss, tt.want)
			}
			if err := json.Unmarshal([]byte(tt.in), &decoded); err != nil || !reflect.DeepEqual(ss, decoded) {
				t.Errorf("items %q, the JSON decoder gives %q (%v)", ss, decoded, err)
			}
		})
	}
}

// TestPlainJSON holds plainJSON, which reads eight bytes at a time, to
// the rule it implements, byte by byte, on every byte value in every
// place of a word and on random strings of every length up to 40.
func TestPlainJSON(t *testing.T) {
	plain := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	for n := 1; n <= 17; n++ {
		for at := range n {
			for c := range 256 {
				b := bytes.Repeat([]byte{'A'}, n)
				b[at] = byte(c)
				if got, want := plainJSON(b), plain(b); got != want {
					t.Fatalf("plainJSON(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		b := make([]byte, r.IntN(41))
		for i := range b {
			// Mostly plain bytes, some at the edges of the rule.
			switch r.IntN(8) {
			case 0:
				b[i] = byte(r.IntN(256))
			case 1:
				b[i] = []byte{0x1f, 0x20, 0x21, 0x22, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0xff}[r.IntN(11)]
			default:
				b[i] = byte(0x20 + r.IntN(0x60))
			}
		}
		if got, want := plainJSON(b), plain(b); got != want {
			t.Fatalf("plainJSON(%q) = %v, want %v", b, got, want)
		}
	}
}

// TestSignCompactIsSign checks that SignCompact writes the bytes Sign
// writes for a compact payload, whatever the creation time.
func TestSignCompactIsSign(t *testing.T) {
	base := Envelope{ID: "01M8BMRD80Q7ZB1N6V3W8C2D4E", Type: TypeRecordRetract, From: "HK", To: []string{"RILO-AP", "region:AP"},
		Payload: []byte(`{"record":"01M8B0QJ00EJ8T6Y2R9P4N7QZB","version":2,"reason":"<a & b>"}`)}
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	key := identity.Key{Private: priv, Public: priv.Public().(ed25519.PublicKey)}
	for _, created := range []time.Time{
		time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 26, 10, 0, 0, 120000000, time.UTC),
		time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.FixedZone("HKT", 8*3600)),
	} {
		t.Run(created.String(), func(t *testing.T) {
			e := base
			e.Created = created
			want, err := Sign(key, e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := SignCompact(key, e)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("SignCompact = %s\nSign        = %s", got, want)
			}
			// The payload in parts, split anywhere, with empty parts.
			p := e.Payload
			for _, cut := range [][2]int{{0, 0}, {1, 10}, {10, 11}, {5, len(p)}, {len(p), len(p)}} {
				parts := [][]byte{nil, p[:cut[0]], p[cut[0]:cut[1]], nil, p[cut[1]:], {}}
				e.Payload = []byte("ignored")
				got, err := SignCompactParts(key, e, parts...)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("SignCompactParts cut at %v = %s\nSign = %s", cut, got, want)
				}
				// Appended after what dst holds, in room to spare or not.
				for _, dst := range [][]byte{nil, []byte("prefix"), make([]byte, 3, 8<<10)} {
					head := string(dst)
					got, err := AppendSignedParts(dst, key, e, parts...)
					if err != nil {
						t.Fatal(err)
					}
					if string(got[:len(head)]) != head || !bytes.Equal(got[len(head):], want) {
						t.Errorf("AppendSignedParts(%q) cut at %v = %s\nwant %q + %s", head, cut, got, head, want)
					}
				}
			}
		})
	}
	// A payload that is not an object is refused in parts as it is whole.
	e := base
	e.Created = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, parts := range [][][]byte{{}, {nil, []byte(" ")}, {[]byte(" "), []byte(`["a"]`)}} {
		if _, err := SignCompactParts(key, e, parts...); err == nil {
			t.Errorf("SignCompactParts of %q: no error", parts)
		}
		if got, err := AppendSignedParts([]byte("kept"), key, e, parts...); err == nil || string(got) != "kept" {
			t.Errorf("AppendSignedParts of %q = %q, %v: want dst as it was and an error", parts, got, err)
		}
	}
}

// TestScanHeaderAgreesWithDecoder checks that every protected header
// scanHeader reads is read the same by the JSON decoder, and that it
// leaves every other form to that decoder.
func TestScanHeaderAgreesWithDecoder(t *testing.T) {
	const kid = "SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
	tests := []struct {
		name    string
		in      string
		scanned bool
	}{
		{"as signed", `{"alg":"EdDSA","kid":"` + kid + `","typ":"liaison-envelope+jws"}`, true},
		{"other values", `{"alg":"none","kid":"x","typ":""}`, true},
		{"members in another order", `{"kid":"` + kid + `","alg":"EdDSA","typ":"liaison-envelope+jws"}`, false},
		{"whitespace", `{"alg": "EdDSA","kid":"` + kid + `","typ":"liaison-envelope+jws"}`, false},
		{"escape", `{"alg":"Ed\u0044SA","kid":"` + kid + `","typ":"liaison-envelope+jws"}`, false},
		{"another member", `{"alg":"EdDSA","kid":"` + kid + `","typ":"liaison-envelope+jws","crit":["b64"]}`, false},
		{"duplicate member", `{"alg":"EdDSA","kid":"` + kid + `","typ":"liaison-envelope+jws","alg":"none"}`, false},
		{"trailing byte", `{"alg":"EdDSA","kid":"` + kid + `","typ":"liaison-envelope+jws"} `, false},
		{"not a string", `{"alg":"EdDSA","kid":"` + kid + `","typ":1}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := scanHeader([]byte(tt.in))
			if ok != tt.scanned {
				t.Fatalf("scanHeader read it: %v, want %v", ok, tt.scanned)
			}
			if !ok {
				return
			}
			var fields map[string]any
			if err := josejson.Unmarshal([]byte(tt.in), &fields); err != nil {
				t.Fatalf("the decoder refuses what scanHeader read: %v", err)
			}
			want := map[string]any{"alg": got.Alg, "kid": got.Kid, "typ": got.Typ}
			if !reflect.DeepEqual(fields, want) {
				t.Errorf("scanHeader = %+v, decoder = %v", got, fields)
			}
		})
	}
}

// TestEncodeHeaderAsMarshal checks that the protected header written by
// hand is what json.Marshal writes, for plain values and for values that
// need escaping.
func TestEncodeHeaderAsMarshal(t *testing.T) {
	for _, kid := range []string{identity.Fingerprint(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))), "a+b/c=", `q"uote`, "<&>", "é", "tab\t"} {
		for _, typ := range []string{TypEnvelope, TypRelay} {
			got, err := encodeHeader(kid, typ)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(struct {
				Alg string `json:"alg"`
				Kid string `json:"kid"`
				Typ string `json:"typ"`
			}{"EdDSA", kid, typ})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encodeHeader(%q, %q) = %s, json.Marshal = %s", kid, typ, got, want)
			}
		}
	}
}
