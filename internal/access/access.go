// Package access issues API tokens and decides what each user role may do.
// It is pure apart from reading crypto/rand.
package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"

	"liaison/internal/store"
)

// TokenPrefix starts every token, so that a leaked token is easy to recognise
// in a log or a paste and to scan for.
const TokenPrefix = "lia_"

// tokenBytes is the amount of randomness in a token: 256 bits.
const tokenBytes = 32

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// GenerateToken returns a new bearer token: TokenPrefix followed by 32 bytes
// from crypto/rand in unpadded lowercase base32 (56 characters). It fails
// only when the system's random source does.
func GenerateToken() (string, error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	return TokenPrefix + tokenEncoding.EncodeToString(b[:]), nil
}

// HashToken returns the SHA-256 of token as lowercase hex; only this hash is
// stored. A fast hash is the right choice here, unlike for passwords: tokens
// carry 256 bits of randomness, so brute force over the hash is hopeless
// whatever its speed, and a fast hash keeps authenticating every request
// cheap.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// LooksLikeToken reports whether s has the shape of a token GenerateToken
// returns. It lets callers reject garbage before touching the store.
func LooksLikeToken(s string) bool {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok || len(rest) != tokenEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := tokenEncoding.DecodeString(rest)
	return err == nil
}

// Permission is one thing a role may be allowed to do.
type Permission string

// The permissions routes and commands check.
const (
	PermRecordRead    Permission = "record.read"
	PermRecordWrite   Permission = "record.write"
	PermUserManage    Permission = "user.manage"
	PermAuditRead     Permission = "audit.read"
	PermDirectoryRead Permission = "directory.read"
	// PermAgreementWrite is adding agreements to the registry.
	PermAgreementWrite Permission = "agreement.write"
	// PermConsent is recording an originator's consent to onward
	// transmission.
	PermConsent Permission = "consent.record"
	// PermShare is sending records to partners.
	PermShare Permission = "record.share"
	// PermPeerManage is pinning peers and re-queueing deliveries.
	PermPeerManage Permission = "peer.manage"
	// PermMatchManage is reading the over-correlated values and excluding
	// values from cross-matching.
	PermMatchManage Permission = "match.manage"
)

// Permissions lists every permission in a stable order.
func Permissions() []Permission {
	return []Permission{PermRecordRead, PermRecordWrite, PermUserManage, PermAuditRead, PermDirectoryRead,
		PermAgreementWrite, PermConsent, PermShare, PermPeerManage, PermMatchManage}
}

// Roles lists every role in a stable order.
func Roles() []string {
	return []string{store.RoleAdmin, store.RoleLiaison, store.RoleAnalyst, store.RoleAuditor}
}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool {
	switch role {
	case store.RoleAdmin, store.RoleLiaison, store.RoleAnalyst, store.RoleAuditor:
		return true
	}
	return false
}

// Allowed reports whether a user of role may exercise p. The admin may do
// everything; liaison officers and analysts read and write records and read
// the directory (which includes the agreement registry), and liaison
// officers, who decide what goes to partners, also add agreements and record
// originators' consents; auditors read records, the audit log and the
// directory and never write. An unknown role may do nothing.
func Allowed(role string, p Permission) bool {
	switch role {
	case store.RoleAdmin:
		return true
	case store.RoleLiaison:
		return p == PermRecordRead || p == PermRecordWrite || p == PermDirectoryRead ||
			p == PermAgreementWrite || p == PermConsent || p == PermShare
	case store.RoleAnalyst:
		return p == PermRecordRead || p == PermRecordWrite || p == PermDirectoryRead
	case store.RoleAuditor:
		return p == PermRecordRead || p == PermAuditRead || p == PermDirectoryRead
	}
	return false
}

// Describe returns a short lowercase phrase for p, used in messages such as
// "role auditor may not write records".
func Describe(p Permission) string {
	switch p {
	case PermRecordRead:
		return "read records"
	case PermRecordWrite:
		return "write records"
	case PermUserManage:
		return "manage users"
	case PermAuditRead:
		return "read the audit log"
	case PermDirectoryRead:
		return "read the directory"
	case PermAgreementWrite:
		return "add agreements"
	case PermConsent:
		return "record consents"
	case PermShare:
		return "share records with partners"
	case PermPeerManage:
		return "manage peers and deliveries"
	case PermMatchManage:
		return "manage cross-matching"
	}
	return string(p)
}
