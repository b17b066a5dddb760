package envelope

// DecodeRecordPayload lets the tests see which payloads the record reader
// takes itself.
var DecodeRecordPayload = decodeRecordPayload

// ValidJSON lets the benchmarks compare the payload check with json.Valid.
var ValidJSON = validJSON
