// Package intel holds the intelligence records Liaison exchanges: their kinds,
// grading and handling codes, distribution, the entities they mention, and the
// rules that decide whether a record is valid. It does no I/O.
//
// The JSON encoding of Record is the canonical representation of a record: it
// is what the REST API accepts and returns (DESIGN §4), what the store keeps as
// the body of each version, and what federation signs. Field names therefore
// follow the interface contract and must not change silently.
package intel

import "time"

// Kind is the kind of an intelligence record.
type Kind string

// The record kinds of DESIGN §2.
const (
	KindSeizure  Kind = "seizure"
	KindWarning  Kind = "warning"
	KindFeedback Kind = "feedback"
	KindRequest  Kind = "request"
	KindResponse Kind = "response"
	KindAlert    Kind = "alert"
)

// Kinds lists every record kind in a stable order.
var Kinds = []Kind{KindSeizure, KindWarning, KindFeedback, KindRequest, KindResponse, KindAlert}

// Status is the life-cycle state of a record.
type Status string

// Record states. A retracted record keeps its id, history and audit entries.
const (
	StatusActive    Status = "active"
	StatusRetracted Status = "retracted"
)

// Record is one intelligence record at one version. Exactly one of the kind
// sections (Seizure, Warning, …) is set, the one named by Kind.
type Record struct {
	ID           string       `json:"id,omitempty"`
	Kind         Kind         `json:"kind"`
	Originator   string       `json:"originator,omitempty"`
	Version      int          `json:"version,omitempty"`
	Created      *time.Time   `json:"created,omitempty"`
	Updated      *time.Time   `json:"updated,omitempty"`
	Status       Status       `json:"status,omitempty"`
	Language     string       `json:"language,omitempty"` // BCP 47, e.g. "en", "fr", "zh-Hant"
	Title        string       `json:"title,omitempty"`
	Grading      Grading      `json:"grading"`
	Handling     Handling     `json:"handling"`
	Distribution Distribution `json:"distribution"`
	Retention    *Retention   `json:"retention,omitempty"`
	// Retraction is set when Status is retracted.
	Retraction *Retraction `json:"retraction,omitempty"`

	Seizure  *Seizure  `json:"seizure,omitempty"`
	Warning  *Warning  `json:"warning,omitempty"`
	Feedback *Feedback `json:"feedback,omitempty"`
	Request  *Request  `json:"request,omitempty"`
	Response *Response `json:"response,omitempty"`
	Alert    *Alert    `json:"alert,omitempty"`
}

// Grading is the 4x4 evaluation: source reliability A|B|C|X and information
// assessment 1|2|3|4.
type Grading struct {
	Source      string `json:"source"`
	Information string `json:"information"`
}

// Handling is the handling code: H0 law-enforcement use only; H1 not for
// judicial proceedings without the provider's permission; H2 no onward
// dissemination without the provider's permission; H3 other restrictions,
// stated in Conditions.
type Handling struct {
	Code       string `json:"code"`
	Conditions string `json:"conditions,omitempty"`
}

// Distribution says who may receive the record.
type Distribution struct {
	Scope      string   `json:"scope"` // originator | bilateral | region | operation | wco
	Recipients []string `json:"recipients,omitempty"`
	Operation  string   `json:"operation,omitempty"`
	Region     string   `json:"region,omitempty"`
}

// The distribution scopes.
const (
	ScopeOriginator = "originator"
	ScopeBilateral  = "bilateral"
	ScopeRegion     = "region"
	ScopeOperation  = "operation"
	ScopeWCO        = "wco"
)

// Retention says how long the record may be kept.
type Retention struct {
	Until string `json:"until,omitempty"` // YYYY-MM-DD
	Days  int    `json:"days,omitempty"`
}

// Retraction records who withdrew a record, when and why.
type Retraction struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// Place is where something happened: a country and, optionally, a UN/LOCODE
// or a customs office.
type Place struct {
	Country string `json:"country"`
	Locode  string `json:"locode,omitempty"`
	Office  string `json:"office,omitempty"`
}

// RouteLeg is one point on a route.
type RouteLeg struct {
	Role    string `json:"role"` // departure | transit | destination
	Country string `json:"country"`
	Locode  string `json:"locode,omitempty"`
}

// Conveyance is the means of transport.
type Conveyance struct {
	VesselIMO  string `json:"vessel_imo,omitempty"`
	VesselName string `json:"vessel_name,omitempty"`
	Flight     string `json:"flight,omitempty"`
	Vehicle    string `json:"vehicle,omitempty"` // plate
	Flag       string `json:"flag,omitempty"`    // ISO 3166 alpha-2
}

// Money is an amount in an ISO 4217 currency.
type Money struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

// Goods is one goods line of a seizure.
type Goods struct {
	Category    string  `json:"category"` // two-level, e.g. "revenue/cigarettes"
	Description string  `json:"description,omitempty"`
	HS          string  `json:"hs,omitempty"` // 2, 4 or 6 digits
	Quantity    float64 `json:"quantity"`
	Unit        string  `json:"unit"`
	Value       *Money  `json:"value,omitempty"`
}

// Document is a travel or identity document.
type Document struct {
	Type    string `json:"type"` // passport | id-card | residence-permit | seaman-book | other
	Number  string `json:"number"`
	Country string `json:"country,omitempty"`
}

// Party is a person or organisation mentioned in a record.
type Party struct {
	Type         string    `json:"type"` // person | organisation
	Role         string    `json:"role,omitempty"`
	Name         string    `json:"name"`
	Aliases      []string  `json:"aliases,omitempty"`
	BirthDate    string    `json:"birth_date,omitempty"`  // person, YYYY-MM-DD
	Nationality  string    `json:"nationality,omitempty"` // person, ISO alpha-2
	Gender       string    `json:"gender,omitempty"`
	Document     *Document `json:"document,omitempty"`
	Country      string    `json:"country,omitempty"`      // organisation, ISO alpha-2
	Registration string    `json:"registration,omitempty"` // organisation
	Address      string    `json:"address,omitempty"`
	Phones       []string  `json:"phones,omitempty"`
	Emails       []string  `json:"emails,omitempty"`
}

// Attachment is a file attached to a record (a photo, an X-ray image, a
// document). Content is carried by reference; the digest pins it.
type Attachment struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	Caption   string `json:"caption,omitempty"`
}

// Seizure is the body of a seizure report.
type Seizure struct {
	Date        string       `json:"date"` // YYYY-MM-DD
	Place       Place        `json:"place"`
	Direction   string       `json:"direction"` // import | export | transit | domestic
	Detection   string       `json:"detection,omitempty"`
	Transport   string       `json:"transport,omitempty"`
	Conveyance  *Conveyance  `json:"conveyance,omitempty"`
	Containers  []string     `json:"containers,omitempty"`
	Route       []RouteLeg   `json:"route,omitempty"`
	Goods       []Goods      `json:"goods"`
	Concealment string       `json:"concealment,omitempty"`
	Parties     []Party      `json:"parties,omitempty"`
	Narrative   string       `json:"narrative,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Warning profiles a shipment or traveller to be controlled.
type Warning struct {
	Subject         string      `json:"subject"`
	Targets         []Party     `json:"targets,omitempty"`
	Conveyance      *Conveyance `json:"conveyance,omitempty"`
	Containers      []string    `json:"containers,omitempty"`
	Route           []RouteLeg  `json:"route,omitempty"`
	ExpectedFrom    string      `json:"expected_from,omitempty"` // YYYY-MM-DD, may be in the future
	ExpectedTo      string      `json:"expected_to,omitempty"`
	Category        string      `json:"category,omitempty"`
	Transport       string      `json:"transport,omitempty"`
	SuggestedAction string      `json:"suggested_action"` // check | discreet-surveillance | report-sighting
	Indicators      []string    `json:"indicators,omitempty"`
	Narrative       string      `json:"narrative,omitempty"`
}

// Feedback answers a warning.
type Feedback struct {
	Warning    string `json:"warning"` // id of the warning answered
	Controlled bool   `json:"controlled"`
	Result     string `json:"result"` // seizure | nothing-found | not-encountered | other
	Seizure    string `json:"seizure,omitempty"`
	Date       string `json:"date,omitempty"`
	Narrative  string `json:"narrative,omitempty"`
}

// Request is a request for assistance.
type Request struct {
	Requesting    string   `json:"requesting"` // administration code
	Requested     string   `json:"requested"`
	Agreement     string   `json:"agreement,omitempty"` // legal basis id
	Subject       string   `json:"subject"`
	Questions     []string `json:"questions"`
	Parties       []Party  `json:"parties,omitempty"`
	Facts         string   `json:"facts,omitempty"`
	Urgency       string   `json:"urgency,omitempty"` // routine | urgent | immediate
	Deadline      string   `json:"deadline,omitempty"`
	State         string   `json:"state,omitempty"` // sent | acknowledged | answered | declined | overdue
	Related       []string `json:"related,omitempty"`
	RelatedSeized string   `json:"related_seizure,omitempty"`
}

// Response answers a request for assistance.
type Response struct {
	Request   string   `json:"request"` // id of the request answered
	Outcome   string   `json:"outcome"` // answered | declined | partial
	Answers   []string `json:"answers,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	Parties   []Party  `json:"parties,omitempty"`
	Narrative string   `json:"narrative,omitempty"`
}

// Alert is a general intelligence notice.
type Alert struct {
	Subject    string   `json:"subject"`
	Category   string   `json:"category,omitempty"`
	Summary    string   `json:"summary"`
	Indicators []string `json:"indicators,omitempty"`
	ModusOp    string   `json:"modus_operandi,omitempty"`
	ValidUntil string   `json:"valid_until,omitempty"`
	Narrative  string   `json:"narrative,omitempty"`
}
