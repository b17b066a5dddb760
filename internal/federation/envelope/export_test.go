package envelope

// DecodeRecordPayload lets the tests see which payloads the record reader
// takes itself.
var DecodeRecordPayload = decodeRecordPayload
