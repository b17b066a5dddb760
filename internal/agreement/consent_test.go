package agreement

import (
	"strings"
	"testing"
	"time"

	"liaison/internal/fault"
)

func TestConsentValidate(t *testing.T) {
	ok := Consent{Record: "01JREC", Originator: "JP", Recipient: "KR", Given: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), By: "liaison1"}
	tests := []struct {
		name  string
		mod   func(*Consent)
		field string
	}{
		{"valid", func(*Consent) {}, ""},
		{"any recipient", func(c *Consent) { c.Recipient = AnyRecipient }, ""},
		{"no record", func(c *Consent) { c.Record = "" }, "record"},
		{"bad originator", func(c *Consent) { c.Originator = "japan" }, "originator"},
		{"bad recipient", func(c *Consent) { c.Recipient = "" }, "recipient"},
		{"originator to itself", func(c *Consent) { c.Recipient = "JP" }, "recipient"},
		{"no time", func(c *Consent) { c.Given = time.Time{} }, "given"},
		{"no recorder", func(c *Consent) { c.By = "" }, "by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			l, isList := err.(fault.List)
			if !isList || len(l) == 0 || l[0].Field != tt.field {
				t.Errorf("Validate() = %v, want an error naming %q", err, tt.field)
			}
		})
	}
}

func TestConsentCovers(t *testing.T) {
	given := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	c := Consent{Record: "01JREC", Originator: "JP", Recipient: "KR", Given: given, By: "liaison1"}
	any := c
	any.Recipient = AnyRecipient
	tests := []struct {
		name    string
		consent Consent
		record  string
		orig    string
		to      string
		at      time.Time
		want    bool
	}{
		{"exact", c, "01JREC", "JP", "KR", given, true},
		{"later", c, "01JREC", "JP", "KR", given.AddDate(0, 1, 0), true},
		{"before it was given", c, "01JREC", "JP", "KR", given.Add(-time.Second), false},
		{"other record", c, "01JOTHER", "JP", "KR", given, false},
		{"other originator", c, "01JREC", "CN", "KR", given, false},
		{"other recipient", c, "01JREC", "JP", "AU", given, false},
		{"any recipient", any, "01JREC", "JP", "AU", given, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.consent.Covers(tt.record, tt.orig, tt.to, tt.at); got != tt.want {
				t.Errorf("Covers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConsentAuditDetail(t *testing.T) {
	tests := []struct {
		c    Consent
		want string
	}{
		{Consent{Originator: "JP", Recipient: "KR", By: "Officer Tanaka"}, "originator JP consents to onward transmission to KR"},
		{Consent{Originator: "JP", Recipient: AnyRecipient, Reference: "JP-42", By: "Officer Tanaka"}, "originator JP consents to onward transmission to any recipient (ref JP-42)"},
	}
	for _, tt := range tests {
		got := tt.c.AuditDetail()
		if got != tt.want {
			t.Errorf("AuditDetail() = %q, want %q", got, tt.want)
		}
		if strings.Contains(got, "Tanaka") {
			t.Errorf("AuditDetail() %q names a person", got)
		}
	}
}
