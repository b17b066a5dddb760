package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"liaison/internal/agreement"
	"liaison/internal/app"
)

const agreementsUsage = "usage: liaison agreements list [--party CODE] | show ID | add FILE.json"

func cmdAgreements(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return exitError{code: 2, msg: agreementsUsage}
	}
	switch args[0] {
	case "list":
		return cmdAgreementsList(ctx, args[1:], stdout, stderr)
	case "show":
		return cmdAgreementsShow(ctx, args[1:], stdout, stderr)
	case "add":
		return cmdAgreementsAdd(ctx, args[1:], stdout, stderr)
	}
	return exitError{code: 2, msg: fmt.Sprintf("unknown agreements command %q; %s", args[0], agreementsUsage)}
}

func cmdAgreementsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("agreements list", stderr)
	party := f.fs.String("party", "", "only agreements this administration, bloc or RILO is in today (bloc members count)")
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "agreements list"); err != nil {
		return err
	}
	as, err := app.ListAgreements(ctx, f.cfg, *party)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tBINDING\tPARTIES\tIN FORCE\tTERMINATED")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Kind, yesNo(a.Binding), partiesText(a.Parties),
			inForceText(a), terminatedText(a))
	}
	return tw.Flush()
}

func cmdAgreementsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("agreements show", stderr)
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: liaison agreements show ID"}
	}
	a, err := app.ShowAgreement(ctx, f.cfg, pos[0])
	if err != nil {
		return err
	}
	writeAgreement(stdout, a)
	return nil
}

func cmdAgreementsAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("agreements add", stderr)
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: liaison agreements add FILE.json"}
	}
	a, err := app.AddAgreement(ctx, f.cfg, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "agreement %s added\n", a.ID)
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func partiesText(ps []agreement.Party) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Code
		if p.Bloc {
			out[i] += " (bloc)"
		}
	}
	return strings.Join(out, ", ")
}

// unknownField reports whether the source of a does not state field.
func unknownField(a agreement.Agreement, field string) bool { return slices.Contains(a.Unknown, field) }

// inForceText is the in-force date as the list shows it: the date, marked
// when the source does not state it, or what it is counted from.
func inForceText(a agreement.Agreement) string {
	switch {
	case a.InForce.Known() && unknownField(a, "in_force"):
		return a.InForce.String() + " (assumed)"
	case a.InForce.Known():
		return a.InForce.String()
	case a.Signed.Known():
		return "unknown (signed " + a.Signed.String() + ")"
	}
	return "unknown"
}

func terminatedText(a agreement.Agreement) string {
	switch {
	case a.Terminated.Known():
		return a.Terminated.String()
	case unknownField(a, "terminated"):
		return "unknown"
	}
	return "-"
}

// notStated marks a value the source does not state.
const notStated = "  [not stated in the source]"

// writeAgreement prints every field of a, one per line, marking what the
// source does not state and what the registry assumes.
func writeAgreement(w io.Writer, a agreement.Agreement) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	mark := func(field string) string {
		if unknownField(a, field) {
			return notStated
		}
		return ""
	}
	date := func(field string, d agreement.Date, none string) string {
		switch {
		case !d.Known():
			return none + mark(field)
		case unknownField(a, field):
			return d.Text() + "  [the exact date is not stated in the source]"
		}
		return d.Text()
	}
	fmt.Fprintf(tw, "id:\t%s\n", a.ID)
	fmt.Fprintf(tw, "title:\t%s%s\n", a.Title, mark("title"))
	for i, lang := range slices.Sorted(maps.Keys(a.Titles)) {
		label := ""
		if i == 0 {
			label = "titles:"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", label, lang, a.Titles[lang])
	}
	fmt.Fprintf(tw, "kind:\t%s%s\n", a.Kind, mark("kind"))
	fmt.Fprintf(tw, "binding:\t%s%s\n", yesNo(a.Binding), mark("binding"))
	fmt.Fprintf(tw, "parties:\t%s%s\n", partiesText(a.Parties), mark("parties"))
	fmt.Fprintf(tw, "signed:\t%s\n", date("signed", a.Signed, "unknown"))
	inForce := date("in_force", a.InForce, "unknown")
	if start, ok := a.Start(); ok {
		inForce += "; treated as in force from " + start.Format("2 January 2006")
	}
	fmt.Fprintf(tw, "in force:\t%s\n", inForce)
	fmt.Fprintf(tw, "terminated:\t%s\n", date("terminated", a.Terminated, "no"))
	fmt.Fprintf(tw, "scope:\t%s%s\n", scopeText(a.Scope), assumedMark(a.Scope.Assumed, mark("scope")))
	fmt.Fprintf(tw, "modes:\t%s%s\n", modesText(a.Modes), assumedMark(a.Modes.Assumed, mark("modes")))
	fmt.Fprintf(tw, "conditions:\t%s%s\n", conditionsText(a.Conditions), assumedMark(a.Conditions.Assumed, mark("conditions")))
	if a.Source != "" {
		fmt.Fprintf(tw, "source:\t%s\n", a.Source)
	}
	if a.Notes != "" {
		fmt.Fprintf(tw, "notes:\t%s\n", a.Notes)
	}
	// The notes in other languages (notes_translations) follow the
	// English ones, each on a line of its own after its language tag.
	for _, lang := range slices.Sorted(maps.Keys(a.NotesTranslations)) {
		fmt.Fprintf(tw, "\t%s\t%s\n", lang, a.NotesTranslations[lang])
	}
	if len(a.Unknown) > 0 {
		fmt.Fprintf(tw, "not stated:\t%s\n", strings.Join(a.Unknown, ", "))
	}
	tw.Flush()
}

// assumedMark says that a value is the registry's assumption, or falls back
// to the not-stated mark.
func assumedMark(assumed bool, mark string) string {
	if assumed {
		return "  [assumed: not stated in the source]"
	}
	return mark
}

func scopeText(s agreement.Scope) string {
	kinds := "every record kind"
	if len(s.Kinds) > 0 {
		ks := make([]string, len(s.Kinds))
		for i, k := range s.Kinds {
			ks[i] = string(k)
		}
		kinds = strings.Join(ks, ", ")
	}
	if s.PersonalData {
		return kinds + "; personal data allowed"
	}
	return kinds + "; no personal data"
}

func modesText(m agreement.Modes) string {
	var out []string
	if m.OnRequest {
		out = append(out, "on request")
	}
	if m.Spontaneous {
		out = append(out, "spontaneous")
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func conditionsText(c agreement.Conditions) string {
	var out []string
	if c.PurposeLimitation != "" {
		out = append(out, "purpose: "+c.PurposeLimitation)
	}
	if c.EvidenceNeedsConsent {
		out = append(out, "use as evidence needs the provider's consent")
	}
	if c.OnwardNeedsConsent {
		out = append(out, "onward transmission needs the originator's consent")
	}
	if c.RetentionDays > 0 {
		out = append(out, fmt.Sprintf("kept at most %d days", c.RetentionDays))
	}
	if len(out) == 0 {
		return "none stated"
	}
	return strings.Join(out, "; ")
}
