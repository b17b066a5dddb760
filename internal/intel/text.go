package intel

import (
	"sort"
	"strings"
	"time"
)

// EventDate is the date a record is about: the seizure date, the feedback
// date, the start of a warning's expected window; otherwise the day it was
// created. Listing filters (from/to) apply to it. It returns "" when nothing
// is known.
func EventDate(r *Record) string {
	switch {
	case r.Seizure != nil && r.Seizure.Date != "":
		return r.Seizure.Date
	case r.Feedback != nil && r.Feedback.Date != "":
		return r.Feedback.Date
	case r.Warning != nil && r.Warning.ExpectedFrom != "":
		return r.Warning.ExpectedFrom
	}
	if r.Created != nil {
		return r.Created.UTC().Format(time.DateOnly)
	}
	return ""
}

// SearchText is the free text of a record that full-text search indexes:
// title, narratives, summaries, goods descriptions, subjects and questions.
// Party names are not included; they are matched by the entity index.
func SearchText(r *Record) string {
	var parts []string
	add := func(s ...string) {
		for _, v := range s {
			if v = strings.TrimSpace(v); v != "" {
				parts = append(parts, v)
			}
		}
	}
	add(r.Title)
	if s := r.Seizure; s != nil {
		add(s.Narrative)
		for _, g := range s.Goods {
			add(g.Description)
		}
		for _, a := range s.Attachments {
			add(a.Caption)
		}
	}
	if w := r.Warning; w != nil {
		add(w.Subject, w.Narrative)
		add(w.Indicators...)
	}
	if f := r.Feedback; f != nil {
		add(f.Narrative)
	}
	if q := r.Request; q != nil {
		add(q.Subject, q.Facts)
		add(q.Questions...)
	}
	if p := r.Response; p != nil {
		add(p.Narrative, p.Reason)
		add(p.Answers...)
	}
	if a := r.Alert; a != nil {
		add(a.Subject, a.Summary, a.ModusOp, a.Narrative)
		add(a.Indicators...)
	}
	return strings.Join(parts, "\n")
}

// Categories returns the distinct commodity categories a record mentions,
// sorted. A listing filtered by "drugs" matches any "drugs/…" category.
func Categories(r *Record) []string {
	seen := map[string]bool{}
	if s := r.Seizure; s != nil {
		for _, g := range s.Goods {
			if g.Category != "" {
				seen[g.Category] = true
			}
		}
	}
	if r.Warning != nil && r.Warning.Category != "" {
		seen[r.Warning.Category] = true
	}
	if r.Alert != nil && r.Alert.Category != "" {
		seen[r.Alert.Category] = true
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Body returns the kind section that is set, or nil.
func (r *Record) Body() any {
	switch r.Kind {
	case KindSeizure:
		return r.Seizure
	case KindWarning:
		return r.Warning
	case KindFeedback:
		return r.Feedback
	case KindRequest:
		return r.Request
	case KindResponse:
		return r.Response
	case KindAlert:
		return r.Alert
	}
	return nil
}
