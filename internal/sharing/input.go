package sharing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/jsonpath"
)

// AgreementInput is an agreement as POST /api/v1/agreements and
// `liaison agreements add` read it: the JSON of agreement.Agreement, except
// that the dates are plain strings ("YYYY", "YYYY-MM", "YYYY-MM-DD", "" or
// null for unknown) so that a malformed date is reported under its own
// field name.
type AgreementInput struct {
	ID         string               `json:"id"`
	Title      string               `json:"title"`
	Titles     map[string]string    `json:"titles,omitempty"`
	Kind       agreement.Kind       `json:"kind"`
	Binding    bool                 `json:"binding"`
	Parties    []agreement.Party    `json:"parties"`
	Signed     *string              `json:"signed"`
	InForce    *string              `json:"in_force"`
	Terminated *string              `json:"terminated"`
	Scope      agreement.Scope      `json:"scope"`
	Modes      agreement.Modes      `json:"modes"`
	Conditions agreement.Conditions `json:"conditions"`
	Source     string               `json:"source,omitempty"`
	Notes      string               `json:"notes,omitempty"`
	// NotesTranslations gives Notes in other languages, as Titles gives
	// Title.
	NotesTranslations map[string]string `json:"notes_translations,omitempty"`
	Unknown           []string          `json:"unknown,omitempty"`
}

// Agreement converts the input, parsing its dates. It returns a fault.List
// naming every date that does not parse; the agreement itself is validated
// by Service.AddAgreement.
func (in AgreementInput) Agreement() (agreement.Agreement, error) {
	a := agreement.Agreement{
		ID: in.ID, Title: in.Title, Titles: in.Titles, Kind: in.Kind, Binding: in.Binding, Parties: in.Parties,
		Scope: in.Scope, Modes: in.Modes, Conditions: in.Conditions,
		Source: in.Source, Notes: in.Notes, NotesTranslations: in.NotesTranslations, Unknown: in.Unknown,
	}
	var errs fault.List
	for _, d := range []struct {
		field string
		in    *string
		out   *agreement.Date
	}{{"signed", in.Signed, &a.Signed}, {"in_force", in.InForce, &a.InForce}, {"terminated", in.Terminated, &a.Terminated}} {
		if d.in == nil {
			continue
		}
		v, err := agreement.ParseDate(strings.TrimSpace(*d.in))
		if err != nil {
			errs = append(errs, fault.Field(d.field, "%q is not a date: want YYYY, YYYY-MM or YYYY-MM-DD, or null when unknown", *d.in))
			continue
		}
		*d.out = v
	}
	return a, errs.Err()
}

// DecodeAgreement reads exactly one agreement as JSON from r, refusing
// unknown fields, values of the wrong type and trailing data, each as an
// invalid-input error naming the field where it can.
func DecodeAgreement(r io.Reader) (agreement.Agreement, error) {
	// Read whole (an agreement is small), so that an error can be placed
	// in it.
	data, err := io.ReadAll(r)
	if err != nil {
		return agreement.Agreement{}, fmt.Errorf("read agreement: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in AgreementInput
	if err := dec.Decode(&in); err != nil {
		return agreement.Agreement{}, jsonError(err, data)
	}
	if _, err := dec.Token(); err != io.EOF {
		return agreement.Agreement{}, fault.E(fault.Invalid, "unexpected data after the agreement at offset %d", dec.InputOffset())
	}
	return in.Agreement()
}

var agreementInput = reflect.TypeFor[AgreementInput]()

// jsonError turns an encoding/json error decoding data into an
// invalid-input fault.
func jsonError(err error, data []byte) error {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return fault.E(fault.Invalid, "no agreement: the input is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fault.E(fault.Invalid, "malformed JSON: the input ends before the agreement is complete")
	case errors.As(err, &se):
		return fault.Wrap(fault.Invalid, err, "malformed JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		if te.Field == "" {
			return fault.E(fault.Invalid, "expected an agreement object, found %s", te.Value)
		}
		return fault.Field(jsonpath.Of(data, agreementInput, err, te.Field), "expected %s, found %s", jsonpath.Expected(te.Type.Kind()), te.Value)
	}
	if name, ok := jsonpath.UnknownField(err); ok {
		return fault.Field(jsonpath.Of(data, agreementInput, err, name), "unknown field")
	}
	return fault.Wrap(fault.Invalid, err, "malformed JSON")
}
