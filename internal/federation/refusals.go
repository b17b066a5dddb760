package federation

import "slices"

// RefusalFormats returns the shape of every reason this node's inbox
// gives, in its answer and in the audit entry of the refusal ("from %s:
// %s"), for refusing an envelope it could open: a format with its verbs
// where the node codes, record ids, envelope types and the reasons of a
// sharing decision or the validation problems go. A peer that runs Liaison
// answers in these; a user interface words a reason in its user's language
// by matching it against them. The reasons an envelope that does not
// open, or a key rotation that does not verify, is refused with are those
// of envelope.RefusalFormats and identity.RefusalFormats, or "envelope
// does not verify" for an error that is not a fault. A test holds the list
// to the reasons the code gives.
func RefusalFormats() []string { return slices.Clone(refusalFormats) }

// DeliveryErrorFormats returns the shape of every error a delivery
// attempt records when the peer cannot be reached or its answer cannot be
// taken (a refused delivery records the peer's reason instead), with its
// verbs where the transport's error, the status and text of the peer's
// answer and the counts go. The text of an answer that is not 200 is, from
// a node that runs Liaison, an error document whose message is of
// BatchErrorFormats; the reason an answer does not verify is of
// envelope.RefusalFormats or envelope.AnswerFormats, or "envelope does
// not verify" for an error that is not a fault. A test holds the list to
// the code.
func DeliveryErrorFormats() []string { return slices.Clone(deliveryErrorFormats) }

// BatchErrorFormats returns the shape of every message a node's inbox
// answers a request it does not take at all with: the message of the
// error document ({"error":{"code":…,"message":…}}) that comes with a
// status other than 200 when the request is too large or cut short, the
// batch is empty, too large or not a JSON array of envelopes, or the node
// runs without federation. A sender records such an answer as "peer
// answered %d: %s" with the document; a user interface words its message
// in its user's language by matching it against them. What a node
// answers when it cannot answer at all (its store or keys unavailable, an
// internal error) is no such message. A test of the web layer holds the
// list to the messages of envelope.DecodeBatch, of Receive and of the
// inbox's handler.
func BatchErrorFormats() []string { return slices.Clone(batchErrorFormats) }

var batchErrorFormats = []string{
	// The request, read by the web layer.
	"federation is not available on this server",
	"inbox request larger than %d bytes",
	"read request body",
	// The batch (envelope.DecodeBatch).
	"batch is empty",
	"batch too large: %s envelopes (limit %s)",
	"batch is not a JSON array of compact JWS strings: %s",
}

var refusalFormats = []string{
	// Any envelope.
	"%s does not accept %s envelopes",
	"envelope does not verify",
	"record: the %s envelope %s names no record",
	"record: %q in %s envelope %s is not a record id",
	// A record, its feedback, a request or a response.
	"the record has no valid id",
	"a %s envelope carries a %s record, not a %s",
	"record %s originates from %s, not from the sender %s",
	"record %s has no version",
	"record %s is retracted: send record.retract",
	"record %s is invalid: %s",
	"record %s is invalid: %s; and %d more",
	"record %s is held here from %s",
	"record %s was retracted",
	"%s may not receive record %s from %s: %s",
	"the feedback record has no feedback section",
	"warning %s is not held by %s",
	"record %s is not a warning %s issued",
	"the request record has no request section",
	"request %s is addressed to %s, not to %s",
	"request %s is made by %s, not by the sender %s",
	"the response record has no response section",
	"request %s is not held by %s",
	"record %s is not a request %s made to %s",
	// A retraction, an acknowledgement, a key rotation.
	"record %s is not held by %s",
	"record %s originates from %s, not from %s",
	"rotation statement is for %s, not %s",
}

var deliveryErrorFormats = []string{
	"peer unreachable: %s",
	"reading the answer: %s",
	"peer answered %d: %s",
	"peer's answer does not read: %s",
	"peer's answer has %d results for the %d envelopes posted",
	"answer does not verify: %s",
	"answer %d is for %s, not %s",
}
