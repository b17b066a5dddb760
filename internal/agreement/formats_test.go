package agreement

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"liaison/internal/fault/faulttest"
	"liaison/internal/intel"
)

// TestReasonFormatsAreTheCode reads the package's source for the formats
// its reasons are said with (the format given to add, refuse and say,
// which must be a literal) and checks that ReasonFormats lists exactly
// those: a sentence changed or added in the code without the list would
// leave the user interface unable to word it in another language.
func TestReasonFormatsAreTheCode(t *testing.T) {
	formatArg := map[string]int{"add": 2, "refuse": 1, "say": 0}
	used := faulttest.FormatsInCode(t, ".", func(_ *ast.FuncDecl, call *ast.CallExpr) (int, bool) {
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return 0, false
		}
		i, ok := formatArg[sel.Sel.Name]
		return i, ok
	}, func(fn *ast.FuncDecl, arg ast.Expr) bool {
		// add, refuse and say hand their own format on.
		id, ok := arg.(*ast.Ident)
		_, passes := formatArg[fn.Name.Name]
		return ok && passes && id.Name == "format"
	})
	faulttest.HoldList(t, "ReasonFormats", ReasonFormats(), used)
	if len(used) < 50 {
		t.Fatalf("found %d formats in the code: the search no longer sees them", len(used))
	}
}

// TestReasonsKeepFormatAndArgs checks, over generated decisions, that every
// reason keeps the format (one of ReasonFormats) and arguments its text was
// made of, and that neither is encoded.
func TestReasonsKeepFormatAndArgs(t *testing.T) {
	formats := map[string]bool{}
	for _, f := range ReasonFormats() {
		formats[f] = true
	}
	seen := map[string]bool{}
	g := gen{rand.New(rand.NewPCG(3, 5))}
	for i := range 3000 {
		in := g.input()
		var d Decision
		if i%2 == 0 {
			d = Decide(in)
		} else {
			d = NewDecider(in).Decide(in.Record)
		}
		for _, r := range d.Reasons {
			if !formats[r.Format] {
				t.Fatalf("case %d: reason %q has format %q, which ReasonFormats lacks", i, r.Text, r.Format)
			}
			if got := fmt.Sprintf(r.Format, r.Args...); got != r.Text {
				t.Fatalf("case %d: format %q with %v makes %q, not the text %q", i, r.Format, r.Args, got, r.Text)
			}
			seen[r.Format] = true
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if s := string(b); strings.Contains(s, "Format") || strings.Contains(s, "Args") || strings.Contains(s, `"format"`) {
			t.Fatalf("the decision is encoded with the format of its reasons: %s", s)
		}
		var back Decision
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		for k, r := range back.Reasons {
			if r.Text != d.Reasons[k].Text || r.Format != "" || r.Args != nil {
				t.Fatalf("reason read back %+v, want the text of %+v alone", r, d.Reasons[k])
			}
		}
	}
	if len(seen) < 40 {
		t.Errorf("the generated decisions said only %d of the formats", len(seen))
	}
}

// TestPhraseFormatsAreWhatTheCodeMakes makes every phrase the reasons'
// arguments are made of and checks that each is of one of PhraseFormats,
// and that each of those is made.
func TestPhraseFormatsAreWhatTheCodeMakes(t *testing.T) {
	var made []string
	for _, k := range Kinds {
		made = append(made, candidate{agreement: &Agreement{Kind: k}}.noun())
	}
	made = append(made, candidate{}.noun(), howGiven(ModeSpontaneous), howGiven(ModeOnRequest), howGiven(""))
	for _, k := range append(slices.Clone(intel.Kinds), "oddity") {
		made = append(made, kindNoun(k))
	}
	person := intel.Party{Type: "person", Name: "Chan Tai Man"}
	contact := intel.Party{Type: "organisation", Name: "Golden Harvest", Phones: []string{"+85221234567"}}
	for _, n := range []int{1, 2} {
		r := &intel.Record{Kind: intel.KindSeizure, Seizure: &intel.Seizure{Conveyance: &intel.Conveyance{Vehicle: "AB 1234"}}}
		for range n {
			r.Seizure.Parties = append(r.Seizure.Parties, person, contact)
		}
		if n == 2 {
			r.Warning = &intel.Warning{Conveyance: &intel.Conveyance{Vehicle: "CD 5678"}}
		}
		made = append(made, personalData(r)...)
	}
	d := decider{}
	d.checkConditions(&candidate{agreement: &Agreement{}, conditions: Conditions{PurposeLimitation: "customs offences.",
		EvidenceNeedsConsent: true, OnwardNeedsConsent: true, RetentionDays: 365}})
	if r := d.reasons[0]; len(r.Args) == 2 {
		made = append(made, strings.Split(r.Args[1].(string), "; ")...)
	} else {
		t.Fatalf("conditions said as %q with %v", r.Format, r.Args)
	}
	for _, k := range Kinds {
		made = append(made, d.label(&Agreement{ID: "hk-jp-1", Kind: k}))
	}
	made = append(made, d.label(&Agreement{ID: "x", Title: "Nairobi Convention"}), d.label(&Agreement{ID: "x", Title: "the Nairobi Convention"}))
	in := Input{Record: MustNonPersonal(t, intel.Distribution{Scope: intel.ScopeOperation}), Sender: "HK", Recipient: "JP",
		On: MustDay(t, "2026-10-14"), Agreements: Seed("HK"), Directory: fakeDir{}}
	for _, r := range Decide(in).Reasons {
		if r.Rule == RuleDistribution {
			made = append(made, r.Args[0].(string))
		}
	}

	faulttest.CheckMade(t, "PhraseFormats", PhraseFormats(), made)
}
