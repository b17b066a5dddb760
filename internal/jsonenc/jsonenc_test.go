package jsonenc

import (
	"bytes"
	"encoding/json"
	"testing"
)

var cases = []string{"", "plain", `quote " backslash \`, "<b>&amp;</b>", "\b\f\n\r\t", "\x00\x01\x1f\x7f",
	"陳大文 Чан Тай Ман عبد", "a\u2028b\u2029c", "bad \xff\xfe and cut \xe2\x80", "\xe2\x80\xa8 at start",
	"🚢 é e\u0301"}

func check(t *testing.T, s string) {
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendString(nil, s); !bytes.Equal(got, want) {
		t.Fatalf("AppendString(%q) = %s, json.Marshal gives %s", s, got, want)
	}
}

// TestAppendStringIsJSON holds AppendString to json.Marshal's bytes.
func TestAppendStringIsJSON(t *testing.T) {
	for _, s := range cases {
		check(t, s)
	}
	for c := 0; c < 256; c++ {
		check(t, "x"+string(rune(c))+"y")
		check(t, "x"+string([]byte{byte(c)})+"y")
	}
}

func FuzzAppendStringIsJSON(f *testing.F) {
	for _, s := range cases {
		f.Add(s)
	}
	f.Fuzz(check)
}
