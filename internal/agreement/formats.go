package agreement

import "slices"

// ReasonFormats returns every format a Reason's Format can be: each
// sentence Decide says, with its verbs where the names, dates, codes and
// phrases go. A user interface words a reason in its user's language by
// looking its format up, and recovers the format and arguments of a reason
// read back from storage (Text alone) by matching the text against these.
// A test holds the list to the formats the code uses.
func ReasonFormats() []string { return slices.Clone(reasonFormats) }

// PhraseFormats returns the formats of the words and phrases from closed
// sets that the arguments of reasons are made of, other than names, codes,
// dates, numbers and the originator's own words: how a reason calls the
// basis ("the arrangement", "region membership"; capitalised at the start
// of a sentence), the mode of giving, the kinds of record, the personal
// data found, the conditions of an agreement and the name of an agreement
// without a title. Lists of them are joined as "a, b and c" (kinds), "a,
// b" (personal data) or "a; b" (conditions). A test holds the list to what
// the code makes.
func PhraseFormats() []string { return slices.Clone(phraseFormats) }

var reasonFormats = []string{
	"There is no record to share.",
	"Both the sending and the receiving administration must be named.",
	"%s cannot share a record with itself.",
	"The date of sharing is not set, so no agreement can be checked.",
	"The record has been retracted by its originator and may not be shared.",
	"The record's retention period of %d days ended on %s; it may no longer be shared.",
	"The record's retention date %q cannot be read, so it is not shared until it is corrected.",
	"The record's retention period ended on %s; it may no longer be shared.",
	"The record is active and may be kept until %s.",
	"The record is active.",
	"%s covers only %s, not %s.",
	"The scope of %s is not stated in the source; it is assumed to cover %s.",
	"%s covers %s.",
	"The record carries no personal data in its structured fields.",
	"The record carries personal data (%s), and region membership is a basis for non-personal data only.",
	"The record carries personal data (%s), which the scope of %s excludes.",
	"The record carries personal data (%s); the scope of %s is not stated in the source and is assumed to allow personal data for law-enforcement exchange between customs administrations.",
	"The record carries personal data (%s), which %s allows.",
	"%s does not allow information to be given %s.",
	"The modes of %s are not stated in the source; it is assumed to allow information to be given %s.",
	"%s allows information to be given %s.",
	"%s is a member of the WCO %s region and %s is that region's regional intelligence liaison office; region membership is a basis for exchanging non-personal data between them.",
	"%s is in force on %s and links %s and %s. Its date of entry into force is known only as %s, so it is counted from %s.",
	"%s is in force on %s and links %s and %s. Its date of entry into force is not recorded, so it is counted from its signature on %s.",
	"%s is in force on %s and links %s and %s. Its date of entry into force is not recorded, so it is counted from its signature in %s, read as %s.",
	"%s is in force on %s and links %s and %s.",
	"%s is in force on %s and links %s and %s; %s is covered as a member of %s on that day. Its date of entry into force is known only as %s, so it is counted from %s.",
	"%s is in force on %s and links %s and %s; %s is covered as a member of %s on that day. Its date of entry into force is not recorded, so it is counted from its signature on %s.",
	"%s is in force on %s and links %s and %s; %s is covered as a member of %s on that day. Its date of entry into force is not recorded, so it is counted from its signature in %s, read as %s.",
	"%s is in force on %s and links %s and %s; %s is covered as a member of %s on that day.",
	"%s has no recorded date of signature or entry into force, so it cannot be treated as in force on %s.",
	"%s is not yet in force on %s; it enters into force on %s.",
	"%s is not treated as in force on %s; its recorded start (%s) is counted from %s.",
	"%s was terminated on %s and is no longer in force on %s.",
	"%s is not in force on %s.",
	"No other agreement in force links %s and %s on %s, and WCO regions are not known to this node.",
	"No agreement in force links %s and %s on %s, and WCO regions are not known to this node.",
	"No other agreement in force links %s and %s on %s, and %s is not a member of the WCO %s region that %s serves.",
	"No agreement in force links %s and %s on %s, and %s is not a member of the WCO %s region that %s serves.",
	"No other agreement in force links %s and %s on %s, and %s is not the RILO of %s's WCO region; there is no legal basis for sharing.",
	"No agreement in force links %s and %s on %s, and %s is not the RILO of %s's WCO region; there is no legal basis for sharing.",
	"Distribution is limited to the originator, %s, which is the recipient.",
	"Distribution is limited to the originator, %s; %s may not receive it.",
	"Distribution is bilateral and names %s as a recipient.",
	"Distribution is bilateral but names no recipient; %s is not a named recipient.",
	"Distribution is bilateral to %s; %s is not a named recipient.",
	"Distribution is limited to operation %s, and %s is among its listed participants.",
	"Distribution is limited to operation %s, whose participants are not known to this node, so it cannot be sent to %s.",
	"Distribution is limited to operation %s (%s); %s is not a listed participant.",
	"Distribution is open to all WCO members, and %s is one.",
	"Distribution is open to all WCO members and their regional offices, and %s is one.",
	"Distribution is open to all WCO members, but %s is not known to this node as a WCO member.",
	"The record has no distribution set, so it may not leave this node.",
	"The record's distribution %q is not known, so it may not leave this node.",
	"Distribution is limited to a WCO region, but regions are not known to this node.",
	"Distribution is limited to the originator's WCO region, but the region of %s is not known to this node.",
	"Distribution covers the WCO %s region, and %s is a member of it.",
	"Distribution is limited to the WCO %s region; %s is in the %s region.",
	"Distribution covers the WCO %s region, and %s is its regional intelligence liaison office.",
	"Distribution is limited to the WCO %s region; %s serves the %s region.",
	"Distribution is limited to the WCO %s region, and %s is not known to this node as a member of it.",
	"Handling code H0 (law-enforcement use only) permits exchange between customs authorities for law-enforcement purposes.",
	"Handling code H1: %s may not use it in judicial proceedings without the permission of %s.",
	"Handling code H2: %s is the originator and may pass it on; %s may not pass it on without the permission of %s.",
	"Handling code H2: only the originator may pass it on, and %s has consented to its passing to %s.",
	"Handling code H2: only %s, the originator, may pass it on, and no consent from %s to pass it on to %s is on file.",
	"Handling code H3: the originator's restrictions apply: %s",
	"Handling code H3 means other restrictions apply, but none are stated, so it may not be shared until they are.",
	"The record has no handling code, so it may not leave this node.",
	"The handling code %q is not known, so the record may not leave this node.",
	"%s is the originator of this record, so no one else's consent is needed.",
	"This record was received from %s; it can be passed on to %s only with the recorded consent of %s, and none is on file.",
	"%s, the originator, consented on %s to passing this record on to any recipient (reference %s).",
	"%s, the originator, consented on %s to passing this record on to any recipient.",
	"%s, the originator, consented on %s to passing this record on to %s (reference %s).",
	"%s, the originator, consented on %s to passing this record on to %s.",
	"Region membership attaches no conditions beyond the record's handling code.",
	"%s attaches no further conditions. They are not stated in the source and are assumed cautiously.",
	"%s attaches no further conditions.",
	"Conditions of %s: %s. They are not stated in the source and are assumed cautiously.",
	"Conditions of %s: %s.",
}

var phraseFormats = []string{
	// The basis (candidate.noun).
	"the arrangement",
	"the agreement",
	"the convention",
	"region membership",
	// The mode of giving (howGiven).
	"spontaneously",
	"on request",
	// Kinds of record (kindNoun).
	"seizure reports",
	"warnings",
	"feedback on warnings",
	"requests for assistance",
	"responses to requests for assistance",
	"intelligence alerts",
	"records of kind %q",
	// Personal data (personalData).
	"1 named person",
	"%d named persons",
	"1 party with personal identifiers or contact details",
	"%d parties with personal identifiers or contact details",
	"1 vehicle registration plate",
	"%d vehicle registration plates",
	// Conditions (checkConditions).
	"use is limited to %s",
	"use as evidence needs the originator's consent",
	"onward transmission needs the originator's consent",
	"the recipient may keep it for at most %d days",
	// An agreement named by its kind and id, or by its title (label).
	"The arrangement %s",
	"The agreement %s",
	"The convention %s",
	"The %s",
	// An operation without an id (checkDistribution).
	"(unnamed)",
}

// ConsentDetailFormats returns the shapes of Consent.AuditDetail, the
// detail of the audit entry of a consent recorded, with its verbs where
// the originator's code, the recipient's and the reference go. A test
// holds the list to the code.
func ConsentDetailFormats() []string {
	return []string{
		"originator %s consents to onward transmission to %s",
		"originator %s consents to onward transmission to %s (ref %s)",
		"originator %s consents to onward transmission to any recipient",
		"originator %s consents to onward transmission to any recipient (ref %s)",
	}
}
