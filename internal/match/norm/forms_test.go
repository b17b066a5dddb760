package norm

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// stripLegalFormsEach and translatePhrasesEach are stripLegalForms and
// translatePhrases as they were before they looked forms and phrases up
// by word: every form and phrase compared at every step.
func stripLegalFormsEach(toks []Token) []Token {
	for changed := true; changed; {
		changed = false
		for _, f := range legalForms {
			if len(toks) > len(f) && hasForm(toks[len(toks)-len(f):], f) {
				toks = toks[:len(toks)-len(f)]
				changed = true
				break
			}
			if len(toks) > len(f) && hasForm(toks[:len(f)], f) {
				toks = toks[len(f):]
				changed = true
				break
			}
		}
	}
	return toks
}

func translatePhrasesEach(toks []Token) []Token {
	var out []Token
	for i := 0; i < len(toks); {
		matched := false
		for _, ph := range orgPhrases {
			if i+len(ph[0]) <= len(toks) && hasForm(toks[i:i+len(ph[0])], ph[0]) {
				if out == nil {
					out = append(make([]Token, 0, len(toks)), toks[:i]...)
				}
				if len(ph[0]) == 1 && len(ph[1]) == 1 {
					out = append(out, Token{toks[i][0], ph[1][0]})
				} else {
					for _, w := range ph[1] {
						out = append(out, Token{w})
					}
				}
				i += len(ph[0])
				matched = true
				break
			}
		}
		if !matched {
			if out != nil {
				out = append(out, toks[i])
			}
			i++
		}
	}
	if out == nil {
		return toks
	}
	return out
}

func stripNativeFormsEach(s string) string {
	for _, f := range nativeForms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, " ")
		}
	}
	for _, w := range businessWords {
		if strings.Contains(s, w[0]) {
			s = strings.ReplaceAll(s, w[0], " "+w[1]+" ")
		}
	}
	return s
}

// TestFormsByWord checks that stripping legal forms, translating business
// phrases and stripping native forms give what comparing every form and
// phrase gives, on 200,000 names made of the words of legal forms and
// phrases, words that start or end them, and other words.
func TestFormsByWord(t *testing.T) {
	var words []string
	for _, f := range legalForms {
		words = append(words, f...)
	}
	for _, ph := range orgPhrases {
		words = append(words, ph[0]...)
	}
	words = append(words, "kam", "fung", "trading", "golden", "dragon", "sa", "co", "ltd")
	rng := rand.New(rand.NewPCG(8, 8))
	stripped, translated := 0, 0
	for range 200000 {
		toks := make([]Token, rng.IntN(8))
		for i := range toks {
			toks[i] = Token{words[rng.IntN(len(words))]}
		}
		want := stripLegalFormsEach(slices.Clone(toks))
		if got := stripLegalForms(slices.Clone(toks)); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("stripLegalForms(%q) = %q, want %q", toks, got, want)
		}
		if len(want) < len(toks) {
			stripped++
		}
		want = translatePhrasesEach(slices.Clone(toks))
		if got := translatePhrases(slices.Clone(toks)); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("translatePhrases(%q) = %q, want %q", toks, got, want)
		}
		if !slices.EqualFunc(want, toks, slices.Equal) {
			translated++
		}
	}
	if stripped < 10000 || translated < 10000 {
		t.Fatalf("%d names stripped, %d translated: too few to tell", stripped, translated)
	}
	var native []string
	for _, f := range nativeForms {
		native = append(native, f)
	}
	for _, w := range businessWords {
		native = append(native, w[0])
	}
	native = append(native, "Kam Fung", "金龍", "\"Severny\"", " ", "Co.", "ООО")
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(native[rng.IntN(len(native))])
			if rng.IntN(2) == 0 {
				b.WriteByte(' ')
			}
		}
		s := b.String()
		if got, want := stripNativeForms(s), stripNativeFormsEach(s); got != want {
			t.Fatalf("stripNativeForms(%q) = %q, want %q", s, got, want)
		}
	}
}
