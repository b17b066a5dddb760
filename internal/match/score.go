package match

import (
	"fmt"
	"strconv"
	"strings"
)

// Threshold is the score at or above which two named entities are taken to
// be the same: matches below it are not reported by MatchRecord and not
// returned by Search unless a lower minimum is asked for. It was chosen on
// the labelled evaluation set in testdata/eval (see docs/BENCHMARKS.md,
// "Cross-matching accuracy"): it is the lowest threshold of the sweep at
// which precision stays at 0.97 or more, a margin over the goal of 0.95
// for names less regular than the generator's; recall does not grow
// below it.
const Threshold = 0.78

// Evidence weights. A name score is adjusted by what else the two
// entities state; facts stated on one side only change nothing.
const (
	sameBirthDate         = 0.08
	differentBirthDate    = -0.30
	sameBirthYear         = -0.10 // same year, different day: a typing slip or a different person
	sameNationality       = 0.02
	differentNationalty   = -0.06
	sameCountry           = 0.03
	differentCountry      = -0.15 // a company keeps its country of registration; the same name elsewhere is often another company
	sameIdentifier        = 0.95  // a shared passport or registration number lifts the score to at least this
	differentDocument     = -0.08 // passports are renewed
	differentRegistration = -0.20 // a company keeps its registration number
)

// schemeNames are the readable names of the romanisations, for reasons.
var schemeNames = map[string]string{
	"hk":         "Hong Kong romanisation",
	"pinyin":     "Hanyu Pinyin",
	"wade-giles": "Wade-Giles",
	"icao":       "Cyrillic transliterated by ICAO 9303",
	"elot":       "Greek transliterated by ELOT 743",
	"arabic":     "Arabic transliterated",
	"rr":         "Korean Revised Romanisation",
	"hepburn":    "kana in Hepburn romanisation",
	"hindi":      "Devanagari transliterated",
	"rtgs":       "Thai in Royal Thai General System",
	"ja":         "kanji read in Japanese",
}

// evidence adjusts a name score by birth dates, nationalities, countries
// and shared identifiers, and appends the reasons. The score is kept
// between 0 and 1.
func evidence(q, c *Entity, score float64, reasons []string) (float64, []string) {
	score, reasons = weigh(q, c, score, reasons, true)
	return clamp(score), reasons
}

// evidenceScore is evidence without the reasons and without keeping the
// score between 0 and 1, for ranking candidates: two names that both
// score 1 are still told apart by what else agrees. It does not allocate.
func evidenceScore(q, c *Entity, score float64) float64 {
	score, _ = weigh(q, c, score, nil, false)
	return score
}

func clamp(score float64) float64 { return min(max(score, 0), 1) }

// evidenceBound is at least evidenceScore(q, c, ns) for the entity c that
// en stores, from what en keeps of c: its birth date when a full one, its
// nationality and country when two letters. It adds the same weights in
// the same order as weigh, each the one weigh adds or one above it where
// en does not tell, so that the sum is never below weigh's. withIDs is
// the bound; without is the same before the identifiers, which a
// passport, registration or IMO number stated by q (taken to be c's too)
// can only lift.
func evidenceBound(q *Entity, en *ent, ns float64) (withIDs, without float64) {
	score := ns
	if q.BirthDate != "" {
		b := packDate(q.BirthDate)
		switch {
		case b != 0 && en.birth == b:
			score += sameBirthDate
		case b != 0 && en.birth != 0 && b/10000 == en.birth/10000:
			score += sameBirthYear
		case b != 0 && en.birth != 0:
			score += differentBirthDate
		case b != 0:
			// c's birth date is not a full date, so not q's: none, or
			// one that differs.
			score += 0
		default:
			score += sameBirthDate
		}
	}
	if q.Nationality != "" {
		score += codeBound(q.Nationality, en.nat, sameNationality, differentNationalty)
	}
	if q.Type == Organisation || q.Type == Vessel {
		if q.Country != "" {
			score += codeBound(q.Country, en.ctry, sameCountry, differentCountry)
		}
	}
	without = score
	if q.Document != "" {
		score = max(score, sameIdentifier) + 0.05
	}
	if q.Registration != "" {
		score = max(score, sameIdentifier) + 0.05
	}
	if q.Type == Vessel && q.Value != "" {
		score = max(score, sameIdentifier) + 0.05
	}
	return score, without
}

// codeBound is the weight weigh adds for a nationality or country q
// stated by the query against one that the index keeps as the code c
// (code2): same or differ when both are two ASCII letters, which
// strings.EqualFold compares as code2 does, and same, the greater,
// otherwise (a code of other bytes, or none: c's may be empty, or longer
// and equal to q's under Unicode's folding).
func codeBound(q string, c [2]byte, same, differ float64) float64 {
	if qc := code2(q); letters2(qc) && letters2(c) {
		if qc == c {
			return same
		}
		return differ
	}
	return same
}

// letters2 reports whether both bytes of a code are upper-case ASCII
// letters, which code2 makes of two ASCII letters only.
func letters2(c [2]byte) bool {
	return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// weigh is evidence, with reasons only when explain is set, and the score
// not clamped.
func weigh(q, c *Entity, score float64, reasons []string, explain bool) (float64, []string) {
	switch {
	case q.BirthDate == "" || c.BirthDate == "":
	case q.BirthDate == c.BirthDate:
		score += sameBirthDate
		if explain {
			reasons = append(reasons, "same birth date "+q.BirthDate)
		}
	case len(q.BirthDate) >= 4 && len(c.BirthDate) >= 4 && q.BirthDate[:4] == c.BirthDate[:4]:
		score += sameBirthYear
		if explain {
			reasons = append(reasons, fmt.Sprintf("birth date differs: %s vs %s", q.BirthDate, c.BirthDate))
		}
	default:
		score += differentBirthDate
		if explain {
			reasons = append(reasons, fmt.Sprintf("birth date differs: %s vs %s", q.BirthDate, c.BirthDate))
		}
	}
	switch {
	case q.Nationality == "" || c.Nationality == "":
	case strings.EqualFold(q.Nationality, c.Nationality):
		score += sameNationality
		if explain {
			reasons = append(reasons, "same nationality "+strings.ToUpper(q.Nationality))
		}
	default:
		score += differentNationalty
		if explain {
			reasons = append(reasons, fmt.Sprintf("nationality differs: %s vs %s", strings.ToUpper(q.Nationality), strings.ToUpper(c.Nationality)))
		}
	}
	if q.Type == Organisation || q.Type == Vessel {
		switch {
		case q.Country == "" || c.Country == "":
		case strings.EqualFold(q.Country, c.Country):
			score += sameCountry
			if explain {
				reasons = append(reasons, "same country "+strings.ToUpper(q.Country))
			}
		default:
			score += differentCountry
			if explain {
				reasons = append(reasons, fmt.Sprintf("country differs: %s vs %s", strings.ToUpper(q.Country), strings.ToUpper(c.Country)))
			}
		}
	}
	score, reasons = identifier(score, reasons, explain, "passport or document", q.Document, c.Document, differentDocument)
	score, reasons = identifier(score, reasons, explain, "registration", q.Registration, c.Registration, differentRegistration)
	if q.Type == Vessel && q.Value != "" && c.Value != "" {
		if q.Value == c.Value {
			score = max(score, sameIdentifier) + 0.05
			if explain {
				reasons = append(reasons, "same IMO number "+q.Value)
			}
		} else {
			score += differentRegistration
			if explain {
				reasons = append(reasons, "IMO number differs")
			}
		}
	}
	return score, reasons
}

// identifier weighs two "COUNTRY:NUMBER" identifiers: the same one is
// strong evidence; different numbers from the same issuer are weak
// evidence against (documents are renewed, companies re-register).
func identifier(score float64, reasons []string, explain bool, what, a, b string, differ float64) (float64, []string) {
	if a == "" || b == "" {
		return score, reasons
	}
	if a == b {
		if explain {
			_, num, _ := strings.Cut(a, ":")
			reasons = append(reasons, fmt.Sprintf("same %s %s", what, num))
		}
		return max(score, sameIdentifier) + 0.05, reasons
	}
	ca, _, _ := strings.Cut(a, ":")
	cb, _, _ := strings.Cut(b, ":")
	if ca == cb {
		if explain {
			reasons = append(reasons, what+" differs")
		}
		return score + differ, reasons
	}
	return score, reasons
}

// appendQuote is strconv.AppendQuote, which leaves printable ASCII other
// than the quote and the backslash as it is: a name of such letters only
// is copied between quotes without looking at it rune by rune.
func appendQuote(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// nameReason explains a name match.
func nameReason(qName, cName string, score float64, qScheme, cScheme string) string {
	note := ""
	switch {
	case cScheme != "" && qScheme == "":
		note = " (" + schemeNames[cScheme] + ")"
	case qScheme != "" && cScheme == "":
		note = " (" + schemeNames[qScheme] + ")"
	case qScheme != "" && qScheme == cScheme && qName != cName:
		note = " (" + schemeNames[qScheme] + ")"
	}
	if qName == cName {
		return "same name " + strconv.Quote(qName)
	}
	b := make([]byte, 0, 32+len(qName)+len(cName)+len(note))
	b = append(b, "name "...)
	b = appendQuote(b, qName)
	b = append(b, " matches "...)
	b = appendQuote(b, cName)
	b = append(b, note...)
	b = append(b, ", "...)
	b = strconv.AppendFloat(b, score, 'f', 2, 64)
	return string(b)
}
