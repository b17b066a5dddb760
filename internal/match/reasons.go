package match

import (
	"maps"
	"slices"
)

// ReasonFormats returns the formats of the reasons a Result or a Link
// gives. The reasons themselves are English text, stored and sent as such;
// a user interface words one in its user's language by matching it against
// these formats to recover its arguments. In a name match, the %s in
// parentheses is one of RomanisationNames and the last %s the name score
// with two decimals. A test holds the list to the reasons the index makes.
func ReasonFormats() []string { return slices.Clone(reasonFormats) }

// RomanisationNames returns the names of the romanisations and readings a
// name match can mention ("Hong Kong romanisation", "Hanyu Pinyin"…),
// sorted.
func RomanisationNames() []string { return slices.Sorted(maps.Values(schemeNames)) }

var reasonFormats = []string{
	// nameReason
	"same name %q",
	"name %q matches %q, %s",
	"name %q matches %q (%s), %s",
	// weigh and identifier
	"same birth date %s",
	"birth date differs: %s vs %s",
	"same nationality %s",
	"nationality differs: %s vs %s",
	"same country %s",
	"country differs: %s vs %s",
	"same passport or document %s",
	"passport or document differs",
	"same registration %s",
	"registration differs",
	"same IMO number %s",
	"IMO number differs",
	// exact: "same " and the type of the identifier
	"same vessel %s",
	"same container %s",
	"same vehicle %s",
	"same flight %s",
	"same address %s",
	"same phone %s",
	"same email %s",
	"same document %s",
}
