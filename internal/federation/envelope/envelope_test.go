package envelope_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	e := recordEnvelope(t, "JP")
	got, err := envelope.Verify(MustSign(t, keyHK, e), keyHK.Public)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got.ID != e.ID || got.Type != e.Type || got.From != e.From || !slices.Equal(got.To, e.To) ||
		!got.Created.Equal(e.Created) || len(got.Via) != 0 {
		t.Fatalf("verified envelope = %+v, want the signed one %+v", got, e)
	}
	if got.Key != keyHK.Fingerprint() {
		t.Fatalf("Key = %q, want the signer's fingerprint %q", got.Key, keyHK.Fingerprint())
	}
	var p envelope.RecordPayload
	if err := got.Decode(&p); err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	want := seizure()
	if !reflect.DeepEqual(p.Record.Seizure, want.Seizure) || p.Record.ID != want.ID || !p.Record.Created.Equal(*want.Created) {
		t.Fatalf("record after the round trip = %+v, want %+v", p.Record, want)
	}
	if !reflect.DeepEqual(p.Decision, decision()) {
		t.Fatalf("decision after the round trip = %+v, want %+v", p.Decision, decision())
	}
}

func TestSignIsDeterministic(t *testing.T) {
	e := recordEnvelope(t, "JP")
	if a, b := MustSign(t, keyHK, e), MustSign(t, keyHK, e); string(a) != string(b) {
		t.Fatal("signing the same envelope twice gives different bytes")
	}
}

func TestSignedWireFormat(t *testing.T) {
	e := recordEnvelope(t, "JP", "region:AP")
	e.Created = t0.In(time.FixedZone("HKT", 8*3600))
	header, payload, sig := parts(t, MustSign(t, keyHK, e))
	wantHeader := map[string]any{"alg": "EdDSA", "kid": keyHK.Fingerprint(), "typ": "liaison-envelope+jws"}
	if !reflect.DeepEqual(header, wantHeader) {
		t.Fatalf("protected header = %v, want exactly %v", header, wantHeader)
	}
	if len(sig) != 64 {
		t.Fatalf("signature has %d bytes, want 64 (Ed25519)", len(sig))
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(payload, &body); err != nil {
		t.Fatalf("JWS payload is not a JSON object: %v", err)
	}
	keys := slices.Sorted(maps.Keys(body))
	if want := []string{"created", "from", "id", "payload", "to", "type"}; !slices.Equal(keys, want) {
		t.Fatalf("JWS payload members = %v, want %v", keys, want)
	}
	if got := string(body["created"]); got != `"2026-11-26T10:00:00Z"` {
		t.Errorf("created = %s, want UTC RFC 3339", got)
	}
	if got := string(body["to"]); got != `["JP","region:AP"]` {
		t.Errorf("to = %s", got)
	}
	if !strings.Contains(string(body["payload"]), "& <mixed>") {
		t.Errorf("payload escapes HTML characters: %s", body["payload"])
	}
}

func TestVerifyRefuses(t *testing.T) {
	e := recordEnvelope(t, "JP")
	good := MustSign(t, keyHK, e)
	header, payload, sig := parts(t, good)

	tamperedPayload := []byte(strings.Replace(string(payload), "8000000", "9000000", 1))
	if string(tamperedPayload) == string(payload) {
		t.Fatal("test payload has no quantity to tamper with")
	}
	hs256 := func() []byte {
		h := map[string]any{"alg": "HS256", "kid": keyHK.Fingerprint(), "typ": envelope.TypEnvelope}
		hb, _ := json.Marshal(h)
		enc := base64.RawURLEncoding
		input := enc.EncodeToString(hb) + "." + enc.EncodeToString(payload)
		mac := hmac.New(sha256.New, keyHK.Public)
		mac.Write([]byte(input))
		return []byte(input + "." + enc.EncodeToString(mac.Sum(nil)))
	}
	withHeader := func(extra map[string]any) []byte {
		h := maps.Clone(header)
		maps.Copy(h, extra)
		return join(t, h, payload, sig)
	}
	flipLast := func(b []byte) []byte {
		c := slices.Clone(b)
		if c[len(c)-1] == 'A' {
			c[len(c)-1] = 'Q'
		} else {
			c[len(c)-1] = 'A'
		}
		return c
	}
	forgedByEvil := signRaw(t, keyEvil, envelope.TypEnvelope, payload)
	evilHeader, evilPayload, evilSig := parts(t, forgedByEvil)
	evilHeader["kid"] = keyHK.Fingerprint()

	tests := []struct {
		name string
		in   []byte
		pub  identity.Key
		kind fault.Kind
		want string
	}{
		{"tampered payload byte", join(t, header, tamperedPayload, sig), keyHK, fault.Unauthorized, "signature does not verify"},
		{"tampered signature", flipLast(good), keyHK, fault.Unauthorized, "signature does not verify"},
		{"wrong pinned key", good, keyJP, fault.Unauthorized,
			"envelope from HK signed with key " + keyHK.Fingerprint() + " which is not the key pinned for HK"},
		{"signed by another key claiming the pinned kid", join(t, evilHeader, evilPayload, evilSig), keyHK,
			fault.Unauthorized, "signature does not verify"},
		{"alg none", join(t, map[string]any{"alg": "none", "kid": keyHK.Fingerprint(), "typ": envelope.TypEnvelope}, payload, nil),
			keyHK, fault.Unauthorized, `algorithm "none" is not accepted`},
		{"alg HS256 with the public key as secret", hs256(), keyHK, fault.Unauthorized, `algorithm "HS256" is not accepted`},
		{"alg missing", join(t, map[string]any{"kid": keyHK.Fingerprint(), "typ": envelope.TypEnvelope}, payload, sig),
			keyHK, fault.Unauthorized, `algorithm "" is not accepted`},
		{"embedded jwk", withHeader(map[string]any{"jwk": map[string]any{"kty": "OKP", "crv": "Ed25519", "x": identity.EncodePublic(keyEvil.Public)}}),
			keyHK, fault.Invalid, `JWS header field "jwk" is not accepted`},
		{"critical header", withHeader(map[string]any{"crit": []string{"b64"}, "b64": false}),
			keyHK, fault.Invalid, `JWS header field "b64" is not accepted`},
		{"other typ", withHeader(map[string]any{"typ": "JWT"}), keyHK, fault.Invalid, `JWS typ "JWT"`},
		{"relay typ on an originator's envelope", withHeader(map[string]any{"typ": envelope.TypRelay}),
			keyHK, fault.Invalid, "does not match JWS typ"},
		{"kid not a fingerprint", withHeader(map[string]any{"kid": "hk-2026"}), keyHK, fault.Invalid, `JWS kid "hk-2026" is not a key fingerprint`},
		{"duplicate header field", []byte(base64.RawURLEncoding.EncodeToString(
			[]byte(`{"alg":"EdDSA","alg":"none","kid":"`+keyHK.Fingerprint()+`","typ":"liaison-envelope+jws"}`)) +
			string(good[strings.IndexByte(string(good), '.'):])), keyHK, fault.Invalid, "duplicate key 'alg'"},
		{"duplicate envelope field, validly signed", signRaw(t, keyHK, envelope.TypEnvelope,
			[]byte(strings.Replace(string(payload), `{"id":`, `{"from":"JP","id":`, 1))), keyHK, fault.Invalid, "duplicate key 'from'"},
		{"not a JWS", []byte("hello"), keyHK, fault.Invalid, "not a compact JWS"},
		{"two parts", good[:strings.LastIndexByte(string(good), '.')], keyHK, fault.Invalid, "not a compact JWS"},
		{"JSON serialisation", []byte(`{"payload":"e30","protected":"` + strings.Split(string(good), ".")[0] + `","signature":"AA"}`),
			keyHK, fault.Invalid, "not a compact JWS"},
		{"whitespace around", []byte(" " + string(good) + "\n"), keyHK, fault.Invalid, "JWS header is not base64url"},
		{"non-canonical base64", nonCanonical(t, good), keyHK, fault.Invalid, "canonical base64url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.Verify(tt.in, tt.pub.Public)
			if !fault.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want a %s error mentioning %q", err, tt.kind, tt.want)
			}
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *fault.Error", err)
			}
		})
	}
}

// nonCanonical changes the unused low bits of the signature's last
// character, which a lenient decoder ignores.
func nonCanonical(tb testing.TB, b []byte) []byte {
	tb.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	c := slices.Clone(b)
	sigLen := len(c) - strings.LastIndexByte(string(c), '.') - 1
	if sigLen%4 != 2 { // 64 bytes encode to 86 characters
		tb.Fatalf("signature has %d characters", sigLen)
	}
	i := strings.IndexByte(alphabet, c[len(c)-1])
	c[len(c)-1] = alphabet[i|1]
	if c[len(c)-1] == b[len(b)-1] {
		c[len(c)-1] = alphabet[i&^1]
	}
	return c
}

func TestParseFieldErrors(t *testing.T) {
	good := recordEnvelope(t, "JP")
	id := good.ID
	base := func(edit func(m map[string]any)) []byte {
		m := map[string]any{"id": id, "type": "record.create", "from": "HK", "to": []string{"JP"},
			"created": "2026-11-26T10:00:00Z", "payload": map[string]any{"record": map[string]any{}}}
		edit(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return signRaw(t, keyHK, envelope.TypEnvelope, b)
	}
	tests := []struct {
		name, field, want string
		in                []byte
	}{
		{"missing id", "id", "envelope id is missing", base(func(m map[string]any) { delete(m, "id") })},
		{"bad ULID", "id", `envelope id "42" is not a ULID`, base(func(m map[string]any) { m["id"] = "42" })},
		{"lower-case ULID", "id", "is not a ULID", base(func(m map[string]any) { m["id"] = strings.ToLower(id) })},
		{"ULID beyond its range", "id", "is not a ULID", base(func(m map[string]any) { m["id"] = "8" + id[1:] })},
		{"missing type", "type", "envelope type is missing", base(func(m map[string]any) { delete(m, "type") })},
		{"unknown type", "type", `unknown envelope type "record.delete"`, base(func(m map[string]any) { m["type"] = "record.delete" })},
		{"relay type under the envelope typ", "type", "does not match JWS typ", base(func(m map[string]any) { m["type"] = "relay" })},
		{"bad sender", "from", `sender "hk" is not a node code`, base(func(m map[string]any) { m["from"] = "hk" })},
		{"no recipient", "to", "envelope has no recipient", base(func(m map[string]any) { m["to"] = []string{} })},
		{"bad recipient", "to[1]", `recipient "Japan" is neither`, base(func(m map[string]any) { m["to"] = []string{"JP", "Japan"} })},
		{"bad region", "to[0]", `region "asia" is not a WCO region code`, base(func(m map[string]any) { m["to"] = []string{"region:asia"} })},
		{"recipient twice", "to[1]", "recipient JP is listed twice", base(func(m map[string]any) { m["to"] = []string{"JP", "JP"} })},
		{"missing created", "created", "creation time is missing", base(func(m map[string]any) { delete(m, "created") })},
		{"implausible created", "created", "is not plausible", base(func(m map[string]any) { m["created"] = "1970-01-01T00:00:00Z" })},
		{"payload not an object", "payload", "payload must be a JSON object", base(func(m map[string]any) { m["payload"] = []int{1} })},
		{"payload missing", "payload", "payload must be a JSON object", base(func(m map[string]any) { delete(m, "payload") })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := envelope.Parse(tt.in, 0)
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Invalid || fe.Field != tt.field || !strings.Contains(fe.Message, tt.want) {
				t.Fatalf("Parse = %v, want an invalid error on field %s mentioning %q", err, tt.field, tt.want)
			}
			if _, verr := u.Verify(keyHK.Public); verr == nil {
				t.Fatal("Verify succeeds on an envelope that Parse refused")
			}
		})
	}
}

func TestParseKeepsIDOfRefusedEnvelope(t *testing.T) {
	id := MustID(t)
	b := signRaw(t, keyHK, envelope.TypEnvelope,
		[]byte(`{"id":"`+id+`","type":"record.delete","from":"HK","to":["JP"],"created":"2026-11-26T10:00:00Z","payload":{}}`))
	u, err := envelope.Parse(b, 0)
	if err == nil {
		t.Fatal("Parse accepts an unknown type")
	}
	if u.Envelope.ID != id || u.Envelope.From != "HK" {
		t.Fatalf("Parse kept id %q from %q, want %q from HK so that the refusal can name it", u.Envelope.ID, u.Envelope.From, id)
	}
}

func TestParseIgnoresUnknownMembers(t *testing.T) {
	id := MustID(t)
	b := signRaw(t, keyHK, envelope.TypEnvelope,
		[]byte(`{"id":"`+id+`","type":"ack","from":"HK","to":["JP"],"created":"2026-11-26T10:00:00Z","payload":{},"ID":"other","priority":1}`))
	e, err := envelope.Verify(b, keyHK.Public)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if e.ID != id {
		t.Fatalf("ID = %q, want %q: member names must match exactly", e.ID, id)
	}
}

func TestSignRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *envelope.Envelope)
		key  identity.Key
		kind fault.Kind
		want string
	}{
		{"via set by the originator", func(e *envelope.Envelope) { e.Via = []string{"RILO-AP"} }, keyHK, fault.Invalid, "via"},
		{"relay type", func(e *envelope.Envelope) { e.Type = envelope.TypeRelay }, keyHK, fault.Invalid, "made by Relay"},
		{"missing id", func(e *envelope.Envelope) { e.ID = "" }, keyHK, fault.Invalid, "envelope id is missing"},
		{"unknown type", func(e *envelope.Envelope) { e.Type = "gossip" }, keyHK, fault.Invalid, `unknown envelope type "gossip"`},
		{"no recipient", func(e *envelope.Envelope) { e.To = nil }, keyHK, fault.Invalid, "no recipient"},
		{"too many recipients", func(e *envelope.Envelope) {
			e.To = nil
			for i := range envelope.MaxRecipients + 1 {
				e.To = append(e.To, fmt.Sprintf("N%03d", i))
			}
		}, keyHK, fault.Invalid, "257 recipients (limit 256)"},
		{"payload not JSON", func(e *envelope.Envelope) { e.Payload = []byte("{") }, keyHK, fault.Invalid, "JSON object"},
		{"too large", func(e *envelope.Envelope) {
			e.Payload = MustPayload(t, map[string]string{"narrative": strings.Repeat("x", envelope.MaxSize)})
		}, keyHK, fault.TooLarge, "envelope too large"},
		{"broken key", func(e *envelope.Envelope) {}, identity.Key{Private: keyHK.Private, Public: keyJP.Public}, fault.Invalid, "does not belong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := recordEnvelope(t, "JP")
			tt.edit(&e)
			_, err := envelope.Sign(tt.key, e)
			if !fault.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Sign = %v, want a %s error mentioning %q", err, tt.kind, tt.want)
			}
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"` + keyHK.Fingerprint() + `","typ":"liaison-envelope+jws"}`))
	huge := []byte(h + "." + strings.Repeat("A", 2_100_000-len(h)-2) + ".")
	if len(huge) != 2_100_000 {
		t.Fatalf("test envelope has %d bytes", len(huge))
	}
	small := MustSign(t, keyHK, recordEnvelope(t, "JP"))
	tests := []struct {
		name  string
		in    []byte
		limit int
		want  string
	}{
		{"over the default limit", huge, 0, "envelope too large: 2,100,000 bytes (limit 1,048,576)"},
		{"over a configured limit", small, 1000, fmt.Sprintf("envelope too large: %s bytes (limit 1,000)", thousandsOf(len(small)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.Parse(tt.in, tt.limit)
			if !fault.Is(err, fault.TooLarge) || err.Error() != tt.want {
				t.Fatalf("Parse = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := envelope.Parse(small, len(small)); err != nil {
		t.Fatalf("an envelope of exactly the limit is refused: %v", err)
	}
}

func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func TestCheckWindow(t *testing.T) {
	created := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		now    time.Time
		window time.Duration
		want   string // "" for accepted
	}{
		{"same instant", created, 5 * time.Minute, ""},
		{"receiver ahead within", created.Add(5 * time.Minute), 5 * time.Minute, ""},
		{"receiver behind within", created.Add(-5 * time.Minute), 5 * time.Minute, ""},
		{"receiver ahead outside", created.Add(20 * time.Minute), 5 * time.Minute,
			"envelope created 2026-11-26T10:00:00Z is outside the accepted window of ±5m around 2026-11-26T10:20:00Z"},
		{"receiver behind outside", created.Add(-5*time.Minute - time.Nanosecond), 5 * time.Minute, "outside the accepted window of ±5m"},
		{"hour window", created.Add(2 * time.Hour), 90 * time.Minute, "±1h30m around"},
		{"whole hours", created.Add(2 * time.Hour), time.Hour, "±1h around"},
		{"seconds", created.Add(time.Minute), 30 * time.Second, "±30s around"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := envelope.CheckWindow(envelope.Envelope{Created: created}, tt.now, tt.window)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckWindow = %v, want accepted", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Invalid || fe.Field != "created" || !strings.Contains(fe.Message, tt.want) {
				t.Fatalf("CheckWindow = %v, want an invalid error on created mentioning %q", err, tt.want)
			}
		})
	}
}

func TestAddressedTo(t *testing.T) {
	tests := []struct {
		to           []string
		node, region string
		want         bool
	}{
		{[]string{"JP"}, "JP", "AP", true},
		{[]string{"JP"}, "CN", "AP", false},
		{[]string{"region:AP"}, "CN", "AP", true},
		{[]string{"region:AP"}, "RILO-AP", "AP", true},
		{[]string{"region:AP"}, "FR", "EUR", false},
		{[]string{"region:AP"}, "FR", "", false},
		{[]string{"region:"}, "FR", "", false},
		{[]string{"JP", "region:EUR"}, "FR", "EUR", true},
		{nil, "JP", "AP", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%s/%s", tt.to, tt.node, tt.region), func(t *testing.T) {
			if got := (envelope.Envelope{To: tt.to}).AddressedTo(tt.node, tt.region); got != tt.want {
				t.Fatalf("AddressedTo = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTypes(t *testing.T) {
	for _, typ := range envelope.Types() {
		if !typ.Known() {
			t.Errorf("%s is listed but not known", typ)
		}
	}
	for _, typ := range []envelope.Type{"", "record", "RECORD.CREATE", "record.delete"} {
		if typ.Known() {
			t.Errorf("%q is known", typ)
		}
	}
	if n := len(envelope.Types()); n != 12 {
		t.Errorf("%d types, want 12", n)
	}
}

func TestNewIDIsAULIDAtTheGivenTime(t *testing.T) {
	a, b := MustID(t), MustID(t)
	if a == b {
		t.Fatal("two ids are equal")
	}
	e := envelope.Envelope{ID: a, Type: envelope.TypeAck, From: "HK", Created: t0, Payload: []byte("{}")}
	if _, err := envelope.Sign(keyHK, e); err != nil {
		t.Fatalf("an id from NewID is refused: %v", err)
	}
	if got := ulid.MustParseStrict(a).Timestamp(); !got.Equal(t0) {
		t.Fatalf("id %s carries time %v, want %v", a, got, t0)
	}
}
