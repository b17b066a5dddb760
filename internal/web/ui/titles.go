package ui

import (
	"maps"
	"strings"

	"liaison/internal/agreement"
)

// Agreements are named in the page's language by their titles in it
// (agreement.Agreement.Titles), and in English where they have none. A
// page that has the agreement at hand names it by AgreementTitle; where it
// has only what a decision kept (a basis: the agreement's id and English
// title) or an English sentence naming it (a reason, a partner's
// summary), the node's registry is asked, once per page and only when
// such a name is to be worded, for the agreement of that id or of that
// English title.

// agreementTitles is the node's registry as a page's locale reads it,
// loaded when first asked. It is used by one request, never concurrently.
type agreementTitles struct {
	load    func() ([]agreement.Agreement, error)
	loaded  bool
	byID    map[string]agreement.Agreement
	byTitle map[string]map[string]string // English title -> titles
}

// index loads the registry on first use. A registry that cannot be read
// leaves every agreement named in English.
func (t *agreementTitles) index() {
	if t.loaded {
		return
	}
	t.loaded = true
	as, err := t.load()
	if err != nil {
		return
	}
	t.byID = make(map[string]agreement.Agreement, len(as))
	t.byTitle = make(map[string]map[string]string, len(as))
	shared := map[string]bool{}
	for _, a := range as {
		a.Titles = a.TitlesOrSeed()
		t.byID[a.ID] = a
		if a.Title == "" || len(a.Titles) == 0 {
			continue
		}
		// A sentence may name the agreement by its title without its
		// leading article ("The Nairobi Convention" is said "The %s").
		for _, title := range []string{a.Title, cutArticle(a.Title)} {
			if shared[title] {
				continue
			}
			if other, ok := t.byTitle[title]; ok && !maps.Equal(other, a.Titles) {
				// Two agreements of one title translated differently:
				// which one a sentence means is not known.
				delete(t.byTitle, title)
				shared[title] = true
				continue
			}
			t.byTitle[title] = a.Titles
		}
	}
}

// cutArticle returns title without a leading "The " or "the ".
func cutArticle(title string) string {
	if rest, ok := strings.CutPrefix(title, "The "); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(title, "the "); ok {
		return rest
	}
	return title
}

// AgreementTitle names an agreement in the locale's language: its title in
// it, or its English title.
func (l *Locale) AgreementTitle(a agreement.Agreement) string { return a.TitleIn(l.Lang) }

// titleOf returns, in the locale's language, the title of the registry's
// agreement whose English title is english; ok is false when the registry
// has no such agreement with titles.
func (l *Locale) titleOf(english string) (string, bool) {
	if l.titles == nil || english == "" {
		return "", false
	}
	l.titles.index()
	titles, ok := l.titles.byTitle[english]
	if !ok {
		return "", false
	}
	if t := titles[l.Lang]; t != "" {
		return t, true
	}
	return english, true
}

// basisTitle names the agreement of a basis in the locale's language: the
// registry's agreement of the basis's id, when its English title is the
// one the basis kept, or else the one of that English title; the English
// title otherwise.
func (l *Locale) basisTitle(b agreement.Basis) string {
	if l.english() || l.titles == nil {
		return b.Title
	}
	l.titles.index()
	if a, ok := l.titles.byID[b.Agreement]; ok && a.Title == b.Title {
		return a.TitleIn(l.Lang)
	}
	if t, ok := l.titleOf(b.Title); ok {
		return t
	}
	return b.Title
}

// AgreementNotes gives an agreement's notes in the locale's language: the
// agreement's own translation (or, for a seed agreement stored without
// one, the seed's), or its notes in English.
func (l *Locale) AgreementNotes(a agreement.Agreement) string { return a.NotesIn(l.Lang) }

// AgreementSource says where an agreement comes from: the seed's text,
// agreement.SeedSource, in the locale's language; any other source as it
// was typed.
func (l *Locale) AgreementSource(a agreement.Agreement) string {
	if a.Source == agreement.SeedSource {
		return l.T("agreement.source.seed")
	}
	return a.Source
}
