package agreement

import (
	"fmt"
	"time"

	"liaison/internal/fault"
)

// AnyRecipient in Consent.Recipient means the originator consents to onward
// transmission to any recipient the other rules allow.
const AnyRecipient = "*"

// ActionConsentRecord is the audit action of recording an originator's
// consent. Recording a consent is itself an audited act: whoever stores a
// Consent appends an audit event with this action, the record id as target
// and Consent.AuditDetail as detail, in the same transaction.
const ActionConsentRecord = "consent.record"

// Consent is an originator's consent, on file at the node holding a record it
// received, to pass that record on. Decide counts it for a recipient from the
// moment it was given.
type Consent struct {
	// Record is the id of the record consented to.
	Record string `json:"record"`
	// Originator is the administration that gave consent; it must be the
	// record's originator for the consent to count.
	Originator string `json:"originator"`
	// Recipient is the administration the record may be passed on to, or
	// AnyRecipient.
	Recipient string `json:"recipient"`
	// Given is when the originator gave consent.
	Given time.Time `json:"given"`
	// By is the user who recorded the consent at this node.
	By string `json:"by"`
	// Reference identifies the originator's message granting consent, e.g. a
	// letter or message number, so that an auditor can trace it.
	Reference string `json:"reference,omitempty"`
	// GrantedBy names the person at the originator who gave consent, as the
	// originator's message states it. It is personal data: it is kept with
	// the consent for officers and auditors and never put in AuditDetail.
	GrantedBy string `json:"granted_by,omitempty"`
	// Note is what the officer recording the consent adds, e.g. its limits.
	Note string `json:"note,omitempty"`
}

// Validate checks a consent before it is recorded. It returns nil or a
// fault.List naming each invalid field.
func (c Consent) Validate() error {
	var errs fault.List
	if c.Record == "" {
		errs = append(errs, fault.Field("record", "is required"))
	}
	if !codePattern.MatchString(c.Originator) {
		errs = append(errs, fault.Field("originator", "must be an administration code such as JP, not %q", c.Originator))
	}
	if c.Recipient != AnyRecipient && !codePattern.MatchString(c.Recipient) {
		errs = append(errs, fault.Field("recipient", "must be an administration code such as JP, or *, not %q", c.Recipient))
	}
	if c.Recipient == c.Originator {
		errs = append(errs, fault.Field("recipient", "the originator needs no consent to receive its own record"))
	}
	if c.Given.IsZero() {
		errs = append(errs, fault.Field("given", "is required"))
	}
	if c.By == "" {
		errs = append(errs, fault.Field("by", "is required"))
	}
	return errs.Err()
}

// Covers reports whether c is consent by originator to pass record on to
// recipient, given no later than t. A record without an id is never covered.
func (c Consent) Covers(record, originator, recipient string, t time.Time) bool {
	return record != "" && c.Record == record && c.Originator == originator &&
		(c.Recipient == recipient || c.Recipient == AnyRecipient) &&
		!c.Given.IsZero() && !c.Given.After(t)
}

// AuditDetail is the detail of the audit event that records c. It names
// administrations and the reference only, never people.
func (c Consent) AuditDetail() string {
	d := fmt.Sprintf("originator %s consents to onward transmission to %s", c.Originator, c.Recipient)
	if c.Recipient == AnyRecipient {
		d = fmt.Sprintf("originator %s consents to onward transmission to any recipient", c.Originator)
	}
	if c.Reference != "" {
		d += " (ref " + c.Reference + ")"
	}
	return d
}
