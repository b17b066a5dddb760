package sqlite

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/klauspost/compress/s2"
)

// The inbox keeps every envelope it accepted exactly as its sender signed
// it: a compact JWS, "HEADER.PAYLOAD.SIGNATURE", whose payload is the
// envelope's JSON in base64url. Stored as that text, an envelope took three
// times the room of the record it carries (the sharing decision's reasons
// travelled with it as sentences then), and writing it, to the WAL and
// again at checkpoints, was the largest part of what a receiving node
// wrote.
//
// So an envelope is kept packed, as a BLOB: the byte packedSigned, the
// header and the signature as they came, each after its length (uvarint),
// then the payload's JSON compressed with S2. Base64url is exact in both
// directions when the text is canonical (no padding, no line breaks, no
// stray bits), so unpacking gives back the very bytes that were signed. An
// envelope that is not canonical compact JWS is kept as the text it was,
// as are the rows written before packing: a stored text never starts with
// packedSigned (a JWS header is base64url of "{", "ey…"), and readers
// unpack what needs it.
const packedSigned = 0x01

// minPacked is the shortest payload worth packing: below it the framing
// and the compressor's own header save next to nothing.
const minPacked = 256

// packSigned appends the packed form of jws to dst. It returns dst
// unchanged and false if jws is not canonical compact JWS worth packing.
// claims, when not nil, is jws's payload decoded already (the inbox has
// it from verifying the envelope): it is packed as it is rather than
// decoded again, if its length is the decoded payload's.
func packSigned(dst, jws, claims []byte) ([]byte, bool) {
	i := bytes.IndexByte(jws, '.')
	if i < 0 {
		return dst, false
	}
	j := i + 1 + bytes.IndexByte(jws[i+1:], '.')
	if j <= i || bytes.IndexByte(jws[j+1:], '.') >= 0 {
		return dst, false
	}
	header, payload, sig := jws[:i], jws[i+1:j], jws[j+1:]
	// (Three scans for one byte each are several times quicker than one
	// for any of the three.)
	if len(payload) < minPacked || bytes.IndexByte(payload, '\n') >= 0 || bytes.IndexByte(payload, '\r') >= 0 ||
		bytes.IndexByte(payload, '=') >= 0 {
		return dst, false
	}
	// The payload is decoded into dst's spare room, after the room its
	// compressed form and the framing may take, so that packing a batch's
	// envelopes allocates nothing once the arena has grown.
	enc := base64.RawURLEncoding.Strict()
	rawLen := enc.DecodedLen(len(payload))
	m := s2.MaxEncodedLen(rawLen)
	if m < 0 {
		return dst, false
	}
	frame := 1 + 2*binary.MaxVarintLen64 + len(header) + len(sig)
	var raw []byte
	if claims != nil && enc.EncodedLen(len(claims)) == len(payload) {
		dst = slices.Grow(dst, frame+m)
		raw = claims
	} else {
		dst = slices.Grow(dst, frame+m+rawLen)
		at := len(dst)
		raw = dst[at+frame+m : at+frame+m+rawLen]
		n, err := enc.Decode(raw, payload)
		if err != nil {
			return dst, false
		}
		raw = raw[:n]
	}
	dst = append(dst, packedSigned)
	dst = binary.AppendUvarint(dst, uint64(len(header)))
	dst = append(dst, header...)
	dst = binary.AppendUvarint(dst, uint64(len(sig)))
	dst = append(dst, sig...)
	c := s2.Encode(dst[len(dst):len(dst)+m], raw)
	return dst[:len(dst)+len(c)], true
}

// UnpackSigned returns the compact JWS that an inbox row's signed column
// holds, packed or text, for tools and tests that read a node's database
// directly; the store's own readers unpack what they return.
func UnpackSigned(stored []byte) ([]byte, error) { return unpackSigned(stored) }

// unpackSigned returns the compact JWS that v holds: v itself if it is
// text, the envelope it packs otherwise.
func unpackSigned(v []byte) ([]byte, error) {
	if len(v) == 0 || v[0] != packedSigned {
		return v, nil
	}
	rest := v[1:]
	part := func() ([]byte, error) {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) {
			return nil, errors.New("length out of range")
		}
		p := rest[k : k+int(n)]
		rest = rest[k+int(n):]
		return p, nil
	}
	header, err := part()
	if err != nil {
		return nil, fmt.Errorf("unpack stored envelope: header: %w", err)
	}
	sig, err := part()
	if err != nil {
		return nil, fmt.Errorf("unpack stored envelope: signature: %w", err)
	}
	raw, err := s2.Decode(nil, rest)
	if err != nil {
		return nil, fmt.Errorf("unpack stored envelope: payload: %w", err)
	}
	enc := base64.RawURLEncoding
	out := make([]byte, 0, len(header)+2+enc.EncodedLen(len(raw))+len(sig))
	out = append(append(out, header...), '.')
	out = enc.AppendEncode(out, raw)
	return append(append(out, '.'), sig...), nil
}
