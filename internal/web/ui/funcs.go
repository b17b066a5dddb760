package ui

import (
	"html/template"
	"strings"
	"unicode/utf8"

	"liaison/internal/intel"
)

// funcs are the template functions that need no language; everything
// language-dependent is a method of Locale.
var funcs = template.FuncMap{
	"join":     strings.Join,
	"recordID": isRecordID,
	"add":      func(a, b int) int { return a + b },
	// sub passes the locale and a value to a sub-template.
	"sub": func(l *Locale, v any) subView { return subView{L: l, X: v} },
	"categories": func(r *intel.Record) []string {
		return intel.Categories(r)
	},
	"eventDate": func(r *intel.Record) string { return intel.EventDate(r) },
	// retryForm is the data of the retry button of a delivery: the CSRF
	// token, the delivery, the page to go back to and its state filter.
	"retryForm": func(csrf string, id int64, back, state string) retryButton {
		return retryButton{CSRF: csrf, ID: id, Back: back, State: state}
	},
}

// retryButton is what the "retry" template draws.
type retryButton struct {
	CSRF        string
	ID          int64
	Back, State string
}

// subView is the data of a sub-template: the locale and one value.
type subView struct {
	L *Locale
	X any
}

// isRecordID reports whether s has the shape of a record id (a ULID), so
// that audit targets can link to records.
func isRecordID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return false
		}
	}
	return true
}

// summaryLen is the length of the one-line summary of a record in lists.
const summaryLen = 140

// Summary is a one-line description of a record for lists: its title, else
// what its kind says first (goods, subject, result), the result of
// feedback and the outcome of a response in the locale's language.
func (l *Locale) Summary(r *intel.Record) string {
	s := r.Title
	if s == "" {
		switch {
		case r.Seizure != nil:
			var ds []string
			for _, g := range r.Seizure.Goods {
				if g.Description != "" {
					ds = append(ds, g.Description)
				}
			}
			s = strings.Join(ds, "; ")
			if s == "" {
				s = r.Seizure.Narrative
			}
		case r.Warning != nil:
			s = r.Warning.Subject
		case r.Feedback != nil:
			s = l.Enum("result", r.Feedback.Result) + " " + r.Feedback.Narrative
		case r.Request != nil:
			s = r.Request.Subject
		case r.Response != nil:
			s = l.Enum("outcome", r.Response.Outcome) + " " + r.Response.Narrative
		case r.Alert != nil:
			s = r.Alert.Subject
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > summaryLen {
		rs := []rune(s)
		s = string(rs[:summaryLen-1]) + "…"
	}
	return s
}
