package ui

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/store"
)

// A delivery's error, the reason a peer refused it and the audit entry of
// an envelope this node refused are English text. Where the text is of a
// format this software makes — a Liaison node's refusal, the worker's
// account of a failed attempt — the UI words it as it does a stored reason,
// with the sharing decision's reasons and the validation problems a refusal
// lists worded too, and what a failed attempt quotes when a Liaison node
// made it (why the peer's answer does not verify, the message of its
// inbox's error document). Node codes, ids, envelope types, field paths
// and any text of no known format (a peer's own wording, a transport's
// error) stay as they are.

// refusalFormats are the reasons a node's inbox gives for refusing an
// envelope (its own, and those of an envelope or a key rotation that does
// not open or verify) and the reason a sender's outbox gives a delivery it
// withdrew.
func refusalFormats() []string {
	return slices.Concat(federation.RefusalFormats(), envelope.RefusalFormats(), identity.RefusalFormats(),
		[]string{store.Withdrawn})
}

// Refusal words the reason an envelope was refused in the locale's
// language when it is of a format a Liaison node gives, and returns it as
// it is otherwise.
func (l *Locale) Refusal(text string) string {
	if l.english() || l.book == nil {
		return text
	}
	if s, ok := l.refusal(text); ok {
		return s
	}
	return text
}

// DeliveryError words the error of a delivery's last attempt in the
// locale's language: the worker's account of a failed attempt, with what
// it quotes where that is this software's sentence (deliveryQuotes), or
// the peer's reason for a refusal.
func (l *Locale) DeliveryError(text string) string {
	if l.english() || l.book == nil {
		return text
	}
	if p, args := l.recover(l.book.failures, text); p != nil {
		quoted := deliveryQuotes[p.format]
		if quoted == nil {
			quoted = (*Locale).notWorded
		}
		if s, ok := l.sayWith(deliveryKey, p, args, func(s string) (string, bool) { return quoted(l, s) }); ok {
			return s
		}
	}
	return l.Refusal(text)
}

// deliveryQuotes words what a delivery error quotes, by the error's
// format, where a Liaison node made it: the reason the peer's signed
// answer does not verify, and the error document with which the inbox of
// a peer that runs Liaison took no batch. What the other errors quote (a
// transport's error) and any other text (a peer's own wording, a proxy's
// page) are not this software's sentences and are shown as they are.
var deliveryQuotes = map[string]func(*Locale, string) (string, bool){
	"answer does not verify: %s": (*Locale).answerReason,
	"peer answered %d: %s":       (*Locale).batchError,
}

// notWorded words nothing.
func (l *Locale) notWorded(string) (string, bool) { return "", false }

// answerReason words why a peer's signed answer does not verify: a reason
// of envelope.AnswerFormats, or one an envelope is refused with (the
// signed answer is an envelope that may not parse or verify).
func (l *Locale) answerReason(s string) (string, bool) {
	if p, args := l.recover(l.book.answers, s); p != nil {
		return l.sayWith(answerKey, p, args, l.notWorded)
	}
	return l.refusal(s)
}

// errorDocument is the body of an error answer of a Liaison node, as far
// as the UI reads it: {"error":{"code":…,"message":…}}.
type errorDocument struct {
	Error *struct {
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// batchError words body, what a peer's inbox answered a request it took
// no batch from with, when it is a Liaison node's error document whose
// message is of federation.BatchErrorFormats: the message alone, in the
// locale's language. Any other body, and a document the worker cut short,
// is not worded.
func (l *Locale) batchError(body string) (string, bool) {
	var doc errorDocument
	if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.Error == nil || doc.Error.Field != "" {
		return "", false
	}
	p, args := l.recover(l.book.batches, doc.Error.Message)
	if p == nil {
		return "", false
	}
	return l.sayWith(batchKey, p, args, l.notWorded)
}

// refusal words text when it is a refusal's reason of a known format.
func (l *Locale) refusal(text string) (string, bool) {
	p, args := l.recover(l.book.refusals, text)
	if p == nil {
		return "", false
	}
	return l.sayWith(refusalKey, p, args, func(s string) (string, bool) {
		if w, ok := l.decisionReasons(s); ok {
			return w, true
		}
		if w, ok := l.problems(s); ok {
			return w, true
		}
		// The reason about the envelope a relay carried, after the
		// relay's sentence; it is shorter than text, so this ends.
		return l.refusal(s)
	})
}

// decisionReasons words s when it is the reasons of a sharing decision
// joined by spaces, as a refusal lists those the decision failed on: s is
// cut after the end of a sentence where every part is a reason of a known
// format, the shortest first.
func (l *Locale) decisionReasons(s string) (string, bool) {
	parts, ok := l.sentences(s, 0, map[int]bool{})
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, part := range parts {
		// Sentences follow one another after a space, but for those
		// ending in a full-width stop (Chinese), which needs none.
		if r, _ := utf8.DecodeLastRuneInString(b.String()); b.Len() > 0 && r < fullWidth {
			b.WriteByte(' ')
		}
		b.WriteString(l.Reason(agreement.Reason{Text: part}))
	}
	return b.String(), true
}

// fullWidth is where the CJK symbols and punctuation (。，：) begin.
const fullWidth = '\u3000'

// maxSentences bounds the reasons one text is cut into.
const maxSentences = 32

// sentences cuts s[from:] into reasons of known formats; failed holds the
// starts already found not to cut.
func (l *Locale) sentences(s string, from int, failed map[int]bool) ([]string, bool) {
	if failed[from] || len(failed) > maxSentences*maxSentences {
		return nil, false
	}
	for end := from; end < len(s); {
		i := strings.Index(s[end:], ". ")
		last := i < 0
		if last {
			end = len(s)
		} else {
			end += i + 1
		}
		if p, _ := l.recover(l.book.decisions, s[from:end]); p != nil {
			if last || end == len(s) {
				return []string{s[from:end]}, true
			}
			if rest, ok := l.sentences(s, end+1, failed); ok && len(rest) < maxSentences {
				return append([]string{s[from:end]}, rest...), true
			}
		}
		if last {
			break
		}
	}
	failed[from] = true
	return nil, false
}

// problems words s when it lists validation problems as a refusal of an
// invalid record does ("seizure.goods[0].hs: HS code …; …"): each problem
// whose message is of a format the catalogue words is worded, its field's
// path kept; the others stay as they are.
func (l *Locale) problems(s string) (string, bool) {
	parts := strings.Split(s, "; ")
	worded := false
	for i, part := range parts {
		if w, ok := l.problem(part); ok {
			parts[i], worded = w, true
		}
	}
	if !worded {
		return "", false
	}
	return strings.Join(parts, l.T("list.semicolon")), true
}

// problem words one validation problem: a message, after its field's path
// where it has one.
func (l *Locale) problem(s string) (string, bool) {
	if w, ok := l.validation(s); ok {
		return w, true
	}
	path, msg, ok := strings.Cut(s, ": ")
	if !ok || strings.ContainsAny(path, " ") {
		return "", false
	}
	if w, ok := l.validation(msg); ok {
		return l.T("refusal.problem", path, w), true
	}
	return "", false
}

// validation words a validation message of a format the catalogue words.
func (l *Locale) validation(msg string) (string, bool) {
	q, args := l.recover(l.book.faults, msg)
	if q == nil {
		return "", false
	}
	return l.Fault(&fault.Error{Message: msg, Format: q.format, Args: args}), true
}
