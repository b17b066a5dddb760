package envelope_test

import (
	"crypto/ed25519"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
)

func TestOpenDirect(t *testing.T) {
	signed := MustSign(t, keyHK, recordEnvelope(t, "JP"))
	v, err := envelope.Open(signed, policy("JP"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if v.Envelope.From != "HK" || len(v.Envelope.Via) != 0 || string(v.Signed) != string(signed) || v.Hop.ID != v.Envelope.ID {
		t.Fatalf("Open = %+v, want HK's envelope delivered directly", v)
	}
}

func TestRelayEndToEnd(t *testing.T) {
	// HK sends a region report to the RILO, which opens it and relays it to
	// Japan; Japan sees HK as the originator, the RILO as the relay, and
	// HK's signature still verifies.
	original := recordEnvelope(t, "region:AP")
	signed := MustSign(t, keyHK, original)

	atRILO, err := envelope.Open(signed, policy("RILO-AP"))
	if err != nil {
		t.Fatalf("RILO opens HK's report: %v", err)
	}
	relayed := MustRelay(t, atRILO.Signed, "JP")

	atJP, err := envelope.Open(relayed, policy("JP"))
	if err != nil {
		t.Fatalf("Japan opens the relayed report: %v", err)
	}
	e := atJP.Envelope
	if e.ID != original.ID || e.From != "HK" || e.Key != keyHK.Fingerprint() || !slices.Equal(e.To, original.To) {
		t.Fatalf("relayed envelope = %+v, want HK's original %+v", e, original)
	}
	if !slices.Equal(e.Via, []string{"RILO-AP"}) {
		t.Fatalf("Via = %v, want [RILO-AP]", e.Via)
	}
	if string(atJP.Signed) != string(signed) {
		t.Fatal("the originator's signed bytes did not survive relaying")
	}
	if atJP.Hop.From != "RILO-AP" || atJP.Hop.Type != envelope.TypeRelay || atJP.Hop.Key != keyRILO.Fingerprint() {
		t.Fatalf("Hop = %+v, want the RILO's relay envelope", atJP.Hop)
	}
	if _, err := envelope.Verify(atJP.Signed, keyHK.Public); err != nil {
		t.Fatalf("HK's signature does not verify after relaying: %v", err)
	}
}

func TestRelayedOriginalMayBeOld(t *testing.T) {
	// The RILO delivers late (Japan was down); the hop is fresh, so the
	// window passes, whatever the originator's time.
	e := recordEnvelope(t, "region:AP")
	e.Created = t0.Add(-3 * time.Hour)
	relayed := MustRelay(t, MustSign(t, keyHK, e), "JP")
	v, err := envelope.Open(relayed, policy("JP"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if !v.Envelope.Created.Equal(e.Created) {
		t.Fatalf("Created = %v, want the originator's %v", v.Envelope.Created, e.Created)
	}
}

func TestRelayCannotAlter(t *testing.T) {
	signed := MustSign(t, keyHK, recordEnvelope(t, "region:AP"))
	header, payload, sig := parts(t, signed)

	alteredPayload := join(t, header, []byte(strings.Replace(string(payload), "Chan Tai Man", "Chan Tai Mun", 1)), sig)
	widened := join(t, header, []byte(strings.Replace(string(payload), `"to":["region:AP"]`, `"to":["region:AP","FR"]`, 1)), sig)
	// The RILO re-signs an altered copy with its own key, claiming it is from HK.
	resignedByRILO := signRaw(t, keyRILO, envelope.TypEnvelope, []byte(strings.Replace(string(payload), "8000000", "80", 1)))
	bilateral := MustSign(t, keyHK, recordEnvelope(t, "JP"))

	tests := []struct {
		name string
		to   string
		in   []byte
		kind fault.Kind
		want string
	}{
		{"payload altered", "JP", MustRelay(t, alteredPayload, "JP"), fault.Unauthorized,
			"which says it is from HK): signature does not verify"},
		{"recipients widened", "FR", MustRelay(t, widened, "FR"), fault.Unauthorized,
			"which says it is from HK): signature does not verify"},
		{"re-signed by the relay", "JP", MustRelay(t, resignedByRILO, "JP"), fault.Unauthorized,
			"which says it is from HK): envelope from HK signed with key " + keyRILO.Fingerprint() + " which is not the key pinned for HK"},
		{"delivered to a node the originator did not address", "CN", MustRelay(t, bilateral, "CN"), fault.Forbidden,
			"RILO-AP relayed envelope " + mustParse(t, bilateral).ID + " from HK, which HK addressed to JP, not to CN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy(tt.to)
			if tt.to == "FR" {
				p.Region = "EUR"
			}
			_, err := envelope.Open(tt.in, p)
			if !fault.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open = %v, want a %s error mentioning %q", err, tt.kind, tt.want)
			}
		})
	}
}

func mustParse(tb testing.TB, b []byte) envelope.Envelope {
	tb.Helper()
	u, err := envelope.Parse(b, 0)
	if err != nil {
		tb.Fatalf("parse: %v", err)
	}
	return u.Envelope
}

func TestOpenRefuses(t *testing.T) {
	direct := MustSign(t, keyHK, recordEnvelope(t, "JP"))
	report := MustSign(t, keyHK, recordEnvelope(t, "region:AP"))
	relayed := MustRelay(t, report, "JP")

	stale := recordEnvelope(t, "JP")
	stale.Created = t0.Add(-20 * time.Minute)

	fromStranger := recordEnvelope(t, "JP")
	fromStranger.From = "BR"

	staleHop, err := envelope.Relay(keyRILO, envelope.Envelope{ID: MustID(t), From: "RILO-AP", To: []string{"JP"},
		Created: t0.Add(-time.Hour)}, report)
	if err != nil {
		t.Fatal(err)
	}
	// A relay wrapper around a relay wrapper, built by hand since Relay
	// refuses to.
	nested := signRaw(t, keyRILO, envelope.TypRelay, []byte(`{"id":"`+MustID(t)+`","type":"relay","from":"RILO-AP","to":["JP"],`+
		`"created":"2026-11-26T10:00:00Z","payload":{"envelope":"`+string(relayed)+`"}}`))
	garbled := signRaw(t, keyRILO, envelope.TypRelay, []byte(`{"id":"`+MustID(t)+`","type":"relay","from":"RILO-AP","to":["JP"],`+
		`"created":"2026-11-26T10:00:00Z","payload":{"envelope":"not a JWS"}}`))

	tests := []struct {
		name   string
		in     []byte
		policy func(p *envelope.Policy)
		kind   fault.Kind
		want   string
	}{
		{"not addressed to the receiver", direct, func(p *envelope.Policy) { p.Self = "CN" }, fault.Forbidden,
			"from HK is addressed to JP, not to CN"},
		{"unpinned sender", MustSign(t, keyEvil, fromStranger), nil, fault.Unauthorized,
			"envelope from BR: BR is not a pinned peer"},
		{"outside the window", MustSign(t, keyHK, stale), nil, fault.Invalid,
			"envelope created 2026-11-26T09:40:00Z is outside the accepted window of ±5m around 2026-11-26T10:00:00Z"},
		{"default window", MustSign(t, keyHK, stale), func(p *envelope.Policy) { p.Window = 0 }, fault.Invalid, "±5m"},
		{"relay hop outside the window", staleHop, nil, fault.Invalid, "outside the accepted window"},
		{"relays not accepted", relayed, func(p *envelope.Policy) { p.Relay = nil }, fault.Forbidden,
			"RILO-AP may not relay envelopes to JP"},
		{"relay not trusted", relayed, func(p *envelope.Policy) { p.Relay = func(string) bool { return false } }, fault.Forbidden,
			"RILO-AP may not relay envelopes to JP"},
		{"originator not pinned", relayed, func(p *envelope.Policy) {
			p.Key = func(n string) (ed25519.PublicKey, bool) {
				if n == "HK" {
					return nil, false
				}
				return pinned(n)
			}
		}, fault.Unauthorized, "which says it is from HK): envelope from HK: HK is not a pinned peer"},
		{"relayed twice", nested, nil, fault.Forbidden, "an envelope passes through one relay at most"},
		{"relay carries garbage", garbled, nil, fault.Invalid, "envelope relayed by RILO-AP: envelope is not a compact JWS"},
		{"size limit", direct, func(p *envelope.Policy) { p.MaxSize = 100 }, fault.TooLarge, "(limit 100)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy("JP")
			if tt.policy != nil {
				tt.policy(&p)
			}
			v, err := envelope.Open(tt.in, p)
			if !fault.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open = %v, want a %s error mentioning %q", err, tt.kind, tt.want)
			}
			if v.Envelope.ID != "" || v.Signed != nil {
				t.Fatalf("Open refused but returned a verified envelope %+v", v.Envelope)
			}
		})
	}
}

func TestOpenRefusalNamesTheEnvelope(t *testing.T) {
	e := recordEnvelope(t, "JP")
	e.Created = t0.Add(time.Hour)
	v, err := envelope.Open(MustSign(t, keyHK, e), policy("JP"))
	if err == nil {
		t.Fatal("Open accepts an envelope from the future")
	}
	if v.Hop.ID != e.ID {
		t.Fatalf("refused envelope's id = %q, want %q", v.Hop.ID, e.ID)
	}
}

func TestRelayRefuses(t *testing.T) {
	report := MustSign(t, keyHK, recordEnvelope(t, "region:AP"))
	relayed := MustRelay(t, report, "JP")
	tests := []struct {
		name   string
		hop    envelope.Envelope
		signed []byte
		want   string
	}{
		{"already relayed", envelope.Envelope{ID: MustID(t), From: "RILO-AP", To: []string{"JP"}, Created: t0}, relayed, "one relay at most"},
		{"not an envelope", envelope.Envelope{ID: MustID(t), From: "RILO-AP", To: []string{"JP"}, Created: t0}, []byte("x.y.z"), "relay envelope"},
		{"other type", envelope.Envelope{ID: MustID(t), Type: envelope.TypeAck, From: "RILO-AP", To: []string{"JP"}, Created: t0}, report, "type relay"},
		{"payload given", envelope.Envelope{ID: MustID(t), From: "RILO-AP", To: []string{"JP"}, Created: t0, Payload: []byte("{}")}, report, "payload"},
		{"via given", envelope.Envelope{ID: MustID(t), From: "RILO-AP", To: []string{"JP"}, Via: []string{"X"}, Created: t0}, report, "via"},
		{"no recipient", envelope.Envelope{ID: MustID(t), From: "RILO-AP", Created: t0}, report, "no recipient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.Relay(keyRILO, tt.hop, tt.signed)
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Relay = %v, want an invalid error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestRelayOfALargeEnvelope(t *testing.T) {
	// An originator's envelope just under the limit still fits in a relay's
	// wrapper.
	e := recordEnvelope(t, "region:AP")
	n := envelope.MaxSize * 3 / 4
	for {
		e.Payload = MustPayload(t, map[string]string{"narrative": strings.Repeat("x", n)})
		b, err := envelope.Sign(keyHK, e)
		if err != nil {
			n -= 1000
			continue
		}
		if len(b) < envelope.MaxSize-4000 {
			t.Fatalf("could not build an envelope near the limit (%d bytes)", len(b))
		}
		relayed := MustRelay(t, b, "JP")
		if _, err := envelope.Open(relayed, policy("JP")); err != nil {
			t.Fatalf("relayed envelope of %d bytes (wrapper %d bytes) refused: %v", len(b), len(relayed), err)
		}
		return
	}
}

// TestOpenWithPreparedKeys checks that Open verifies with the prepared keys
// of Policy.Verifier exactly as with the pinned keys alone: the same
// envelopes opened, the same refusals, and a prepared key that is not the
// pinned one never used.
func TestOpenWithPreparedKeys(t *testing.T) {
	direct := MustSign(t, keyHK, recordEnvelope(t, "JP"))
	relayed := MustRelay(t, MustSign(t, keyHK, recordEnvelope(t, "region:AP")), "JP")
	// Another envelope of HK's with this one's signature: well formed, but
	// the signature does not verify.
	other := MustSign(t, keyHK, recordEnvelope(t, "JP"))
	tampered := append(other[:strings.LastIndexByte(string(other), '.')], direct[strings.LastIndexByte(string(direct), '.'):]...)
	byEvil := MustSign(t, keyEvil, recordEnvelope(t, "JP")) // claims to be from HK
	prepared := func(node string) (identity.Verifier, bool) {
		pub, ok := pinned(node)
		return identity.NewVerifier(pub), ok
	}
	wrong := func(node string) (identity.Verifier, bool) {
		return identity.NewVerifier(keyEvil.Public), true
	}
	for _, in := range [][]byte{direct, relayed, tampered, byEvil} {
		plain := policy("JP")
		want, wantErr := envelope.Open(in, plain)
		for name, verifier := range map[string]func(string) (identity.Verifier, bool){"prepared": prepared, "another key": wrong} {
			p := policy("JP")
			p.Verifier = verifier
			got, err := envelope.Open(in, p)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s keys: Open = %+v, %v; with the pinned keys alone %+v, %v", name, got.Envelope, err, want.Envelope, wantErr)
			}
		}
	}
	if _, err := envelope.Open(direct, policy("JP")); err != nil {
		t.Fatalf("the genuine envelope does not open: %v", err)
	}
	if _, err := envelope.Open(tampered, policy("JP")); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Fatalf("the tampered envelope: %v, want the signature refused", err)
	}
}
