// Package jsonenc writes JSON values byte for byte as encoding/json does,
// without reflection, for the encoders whose output must equal
// json.Marshal's (stored record bodies, the audit chain's hash input).
package jsonenc

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// htmlSafe reports whether encoding/json writes the ASCII byte c as it is
// with HTML escaping on: printable characters other than the quote, the
// backslash, <, > and &.
func htmlSafe(c byte) bool {
	return c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

// AppendString appends s as a JSON string escaped as encoding/json does by
// default: short escapes for \b \f \n \r \t, \u00XX for other control
// characters and for < > &, \ufffd for each invalid UTF-8 byte, and \u2028
// and \u2029 escaped.
func AppendString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		return appendInvalidString(dst, s)
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if htmlSafe(c) {
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			start = i + 1
			continue
		}
		// In valid UTF-8, U+2028 and U+2029 are the only runes escaped:
		// E2 80 A8 and E2 80 A9.
		if c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[s[i+2]&0xF])
			i += 2
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscape appends the escape of an ASCII byte htmlSafe refuses.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '\\', '"':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// appendInvalidString is AppendString for a string that is not valid
// UTF-8, decoding it rune by rune.
func appendInvalidString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !htmlSafe(c) {
				dst = append(dst, s[start:i]...)
				dst = appendEscape(dst, c)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
