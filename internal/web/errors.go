package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"

	"liaison/internal/fault"
	"liaison/internal/jsonpath"
	"liaison/internal/jsonread"
	"liaison/internal/web/httpstatus"
)

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Field   string        `json:"field,omitempty"`
	Details []fieldDetail `json:"details,omitempty"`
}

type fieldDetail struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// codeMethodNotAllowed is the error code for a path served with other
// methods; it is the one code that no fault.Kind maps to.
const codeMethodNotAllowed = "method_not_allowed"

// errorResponse converts err to its status and body. Internal errors get a
// generic message; their details only go to the log.
func errorResponse(err error) (int, errorBody) {
	kind := fault.KindOf(err)
	status := httpstatus.Of(kind)
	if status == http.StatusInternalServerError {
		return status, errorBody{Error: errorDetail{Code: string(fault.Internal), Message: "internal error"}}
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return status, errorBody{Error: errorDetail{Code: string(kind), Message: fe.Message, Field: fe.Field}}
	}
	var l fault.List
	if errors.As(err, &l) && len(l) > 0 {
		d := errorDetail{Code: string(fault.Invalid), Message: l[0].Message, Field: l[0].Field,
			Details: make([]fieldDetail, len(l))}
		for i, e := range l {
			d.Details[i] = fieldDetail{Field: e.Field, Message: e.Message}
		}
		return status, errorBody{Error: d}
	}
	return status, errorBody{Error: errorDetail{Code: string(kind), Message: string(kind)}}
}

// writeError sends err as a JSON error response and logs internal errors.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorResponse(err)
	if status >= http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("route", r.Pattern), slog.Any("err", err))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="liaison"`)
	}
	writeJSON(w, status, body)
}

// writeJSON sends v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every response type is marshalable; reaching here is a bug.
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// errEmptyBody is returned by decodeBody for a request without a body.
var errEmptyBody = fault.E(fault.Invalid, "request body is empty; a JSON object is expected")

// decodeBody reads exactly one JSON value from the request body into v,
// refusing unknown fields, trailing data and bodies over max bytes. Errors
// are faults naming the field (its whole path) or offset at fault.
func decodeBody(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	// The body is read whole (it is bounded by max), so that an error can
	// be placed in it after decoding failed.
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fault.Wrap(fault.TooLarge, err, "request body exceeds %d bytes", max)
		}
		return fault.Wrap(fault.Invalid, err, "reading the request body")
	}
	// JSON is UTF-8 (RFC 8259); the decoder would put U+FFFD for each
	// invalid byte, silently changing what was sent.
	if at := jsonread.InvalidUTF8(data); at >= 0 {
		return fault.E(fault.Invalid, "the request body is not valid UTF-8: invalid byte at offset %d", at)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, data, reflect.TypeOf(v))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fault.E(fault.Invalid, "unexpected data after the JSON object at offset %d", dec.InputOffset())
	}
	return nil
}

// decodeError turns an encoding/json error decoding data into a value of
// type t into a client-facing fault.
func decodeError(err error, data []byte, t reflect.Type) error {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return errEmptyBody
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fault.E(fault.Invalid, "malformed JSON: the body ends before the value is complete")
	case errors.As(err, &se):
		return fault.Wrap(fault.Invalid, err, "malformed JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return fault.E(fault.Invalid, "expected %s, found %s", jsonpath.Expected(te.Type.Kind()), te.Value)
		}
		return fault.Field(jsonpath.Of(data, t, err, field), "expected %s, found %s", jsonpath.Expected(te.Type.Kind()), te.Value)
	}
	if name, ok := jsonpath.UnknownField(err); ok {
		return fault.Field(jsonpath.Of(data, t, err, name), "unknown field")
	}
	return fault.Wrap(fault.Invalid, err, "malformed JSON")
}
