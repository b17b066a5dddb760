package identity

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	josejson "github.com/go-jose/go-jose/v4/json"

	"liaison/internal/fault"
)

// TypRotation is the JWS "typ" header of a rotation statement.
const TypRotation = "liaison-key-rotation+jws"

// MaxRotationSize bounds a rotation statement as read by VerifyRotation; a
// genuine one is well under a kilobyte.
const MaxRotationSize = 16 << 10

// nodePattern is the form of a node code: an administration code such as
// "HK" or a RILO code such as "RILO-AP".
var nodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,15}$`)

// Rotation is a node's announcement that it replaces OldKey by NewKey from
// At. A statement verified by VerifyRotation was signed by both keys: by the
// old one, which peers have pinned, so they can trust the change, and by the
// new one, which proves the node holds it.
type Rotation struct {
	Node   string
	OldKey ed25519.PublicKey
	NewKey ed25519.PublicKey
	At     time.Time
}

// rotationBody is the JWS payload of a rotation statement.
type rotationBody struct {
	Node string    `json:"node"`
	Old  string    `json:"old"`
	New  string    `json:"new"`
	At   time.Time `json:"at"`
}

// SignRotation returns the statement by which node announces that it
// replaces old by new from at: a JWS in general JSON serialisation (RFC 7515
// §7.2.1) whose payload is {"node","old","new","at"} and which carries two
// EdDSA signatures, the first by old and the second by new, each with its
// key's fingerprint as "kid" and TypRotation as "typ" in its protected
// header.
func SignRotation(old, new Key, node string, at time.Time) ([]byte, error) {
	if err := old.Check(); err != nil {
		return nil, fmt.Errorf("sign rotation: old key: %w", err)
	}
	if err := new.Check(); err != nil {
		return nil, fmt.Errorf("sign rotation: new key: %w", err)
	}
	if old.Public.Equal(new.Public) {
		return nil, fault.E(fault.Invalid, "sign rotation: the new key is the old key")
	}
	if !nodePattern.MatchString(node) {
		return nil, fault.Field("node", "must be a node code such as HK or RILO-AP, not %q", node)
	}
	if at.IsZero() {
		return nil, fault.Field("at", "is required")
	}
	payload, err := json.Marshal(rotationBody{
		Node: node, Old: EncodePublic(old.Public), New: EncodePublic(new.Public), At: at.UTC(),
	})
	if err != nil {
		return nil, fmt.Errorf("sign rotation: encode statement: %w", err)
	}
	signer, err := jose.NewMultiSigner([]jose.SigningKey{
		{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: old.Private, KeyID: old.Fingerprint()}},
		{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: new.Private, KeyID: new.Fingerprint()}},
	}, (&jose.SignerOptions{}).WithType(TypRotation))
	if err != nil {
		return nil, fmt.Errorf("sign rotation: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("sign rotation: %w", err)
	}
	return []byte(obj.FullSerialize()), nil
}

// VerifyRotation checks a rotation statement against the key the receiver
// has pinned for the announcing node and returns the rotation it announces.
// It succeeds only when the statement names pinnedOld as the old key, carries
// exactly two EdDSA signatures with nothing outside their protected headers,
// one by pinnedOld and one by the new key, each naming its key's fingerprint
// as "kid", and the new key differs from the old. Errors are *fault.Error:
// Invalid for a malformed statement, Unauthorized for a key or signature
// that does not match.
func VerifyRotation(b []byte, pinnedOld ed25519.PublicKey) (Rotation, error) {
	if len(pinnedOld) != ed25519.PublicKeySize {
		return Rotation{}, fmt.Errorf("verify rotation: pinned key has %d bytes, want %d", len(pinnedOld), ed25519.PublicKeySize)
	}
	if len(b) > MaxRotationSize {
		return Rotation{}, fault.E(fault.TooLarge, "rotation statement too large: %d bytes (limit %d)", len(b), MaxRotationSize)
	}
	obj, err := jose.ParseSignedJSON(string(b), []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		var alg *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &alg) {
			return Rotation{}, fault.E(fault.Unauthorized, "rotation statement: algorithm %q is not accepted; only EdDSA is", string(alg.Got))
		}
		return Rotation{}, fault.Wrap(fault.Invalid, err, "rotation statement is not a JWS in JSON serialisation")
	}
	if len(obj.Signatures) != 2 {
		return Rotation{}, fault.E(fault.Unauthorized, "rotation statement carries %d signatures; it must be signed by the old key and by the new key", len(obj.Signatures))
	}
	for i, sig := range obj.Signatures {
		if err := checkRotationHeader(i, sig); err != nil {
			return Rotation{}, err
		}
	}
	var body rotationBody
	if err := josejson.Unmarshal(obj.UnsafePayloadWithoutVerification(), &body); err != nil {
		return Rotation{}, fault.Wrap(fault.Invalid, err, "rotation statement: payload is not a rotation")
	}
	r, err := body.rotation()
	if err != nil {
		return Rotation{}, err
	}
	if !r.OldKey.Equal(pinnedOld) {
		return Rotation{}, fault.E(fault.Unauthorized, "rotation for %s replaces key %s, which is not the key pinned for %s (%s)",
			r.Node, Fingerprint(r.OldKey), r.Node, Fingerprint(pinnedOld))
	}
	iOld, sigOld, _, err := obj.VerifyMulti(pinnedOld)
	if err != nil {
		return Rotation{}, fault.E(fault.Unauthorized, "rotation for %s is not signed by its old key %s", r.Node, Fingerprint(r.OldKey))
	}
	iNew, sigNew, _, err := obj.VerifyMulti(r.NewKey)
	if err != nil || iNew == iOld {
		return Rotation{}, fault.E(fault.Unauthorized, "rotation for %s is not signed by its new key %s", r.Node, Fingerprint(r.NewKey))
	}
	if sigOld.Protected.KeyID != Fingerprint(r.OldKey) || sigNew.Protected.KeyID != Fingerprint(r.NewKey) {
		return Rotation{}, fault.E(fault.Unauthorized, "rotation for %s: a signature's kid does not name the key that made it", r.Node)
	}
	return r, nil
}

// checkRotationHeader requires everything that steers verification to be in
// the signed, protected header.
func checkRotationHeader(i int, sig jose.Signature) error {
	u := sig.Unprotected
	if u.KeyID != "" || u.Algorithm != "" || u.Nonce != "" || u.JSONWebKey != nil || len(u.ExtraHeaders) > 0 {
		return fault.E(fault.Invalid, "rotation statement: signature %d has an unprotected header", i+1)
	}
	p := sig.Protected
	if p.Algorithm != string(jose.EdDSA) {
		return fault.E(fault.Unauthorized, "rotation statement: signature %d: algorithm %q is not accepted; only EdDSA is", i+1, p.Algorithm)
	}
	if typ, _ := p.ExtraHeaders[jose.HeaderType].(string); typ != TypRotation {
		return fault.E(fault.Invalid, "rotation statement: signature %d: typ is %q, want %q", i+1, typ, TypRotation)
	}
	if p.KeyID == "" {
		return fault.E(fault.Invalid, "rotation statement: signature %d has no kid", i+1)
	}
	return nil
}

func (b rotationBody) rotation() (Rotation, error) {
	if !nodePattern.MatchString(b.Node) {
		return Rotation{}, fault.Field("node", "must be a node code such as HK or RILO-AP, not %q", b.Node)
	}
	old, err := ParsePublic(b.Old)
	if err != nil {
		return Rotation{}, fault.Wrap(fault.Invalid, err, "rotation statement: old key")
	}
	nk, err := ParsePublic(b.New)
	if err != nil {
		return Rotation{}, fault.Wrap(fault.Invalid, err, "rotation statement: new key")
	}
	if old.Equal(nk) {
		return Rotation{}, fault.E(fault.Invalid, "rotation statement: the new key is the old key")
	}
	if b.At.IsZero() {
		return Rotation{}, fault.Field("at", "is required")
	}
	return Rotation{Node: b.Node, OldKey: old, NewKey: nk, At: b.At}, nil
}
