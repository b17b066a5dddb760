package agreement

import (
	"fmt"
	"strings"

	"liaison/internal/intel"
)

// HasPersonalData reports whether r carries personal data in its structured
// fields: a person among the parties of a seizure, the targets of a warning,
// or the persons concerned by a request or response; a travel document, birth
// date, nationality, gender, telephone number or e-mail address on any party,
// organisations included (they may belong to a contact person); or a vehicle
// registration plate, which identifies its keeper.
//
// Free text (narratives, facts, answers) and attachments are not inspected:
// the originator is responsible for keeping personal data out of them, and
// an officer should treat a record with a named person in its narrative as
// personal whatever this function says.
func HasPersonalData(r *intel.Record) bool {
	return len(personalData(r)) > 0
}

// personalData lists, in words, what personal data r carries.
func personalData(r *intel.Record) []string {
	if r == nil {
		return nil
	}
	var parties []intel.Party
	var conveyances []*intel.Conveyance
	if s := r.Seizure; s != nil {
		parties = append(parties, s.Parties...)
		conveyances = append(conveyances, s.Conveyance)
	}
	if w := r.Warning; w != nil {
		parties = append(parties, w.Targets...)
		conveyances = append(conveyances, w.Conveyance)
	}
	if q := r.Request; q != nil {
		parties = append(parties, q.Parties...)
	}
	if p := r.Response; p != nil {
		parties = append(parties, p.Parties...)
	}
	var persons, others, vehicles int
	for _, p := range parties {
		switch {
		case p.Type == "person":
			persons++
		case p.Document != nil || p.BirthDate != "" || p.Nationality != "" || p.Gender != "" ||
			len(p.Phones) > 0 || len(p.Emails) > 0:
			others++
		}
	}
	for _, c := range conveyances {
		if c != nil && strings.TrimSpace(c.Vehicle) != "" {
			vehicles++
		}
	}
	var out []string
	if persons > 0 {
		out = append(out, count(persons, "named person", "named persons"))
	}
	if others > 0 {
		out = append(out, count(others, "party with personal identifiers or contact details",
			"parties with personal identifiers or contact details"))
	}
	if vehicles > 0 {
		out = append(out, count(vehicles, "vehicle registration plate", "vehicle registration plates"))
	}
	return out
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
