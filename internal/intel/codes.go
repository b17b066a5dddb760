package intel

// Codes is what validation needs to know about code lists. The directory
// package implements it; intel declares it so that the domain stays free of
// the data files and their loading.
type Codes interface {
	// Country reports whether code is an assigned ISO 3166-1 alpha-2 code.
	Country(code string) bool
	// HSChapter reports whether the 2-digit chapter exists in HS 2022 and
	// whether it is reserved (chapter 77 is reserved for future use; 98 and 99
	// are reserved for national use).
	HSChapter(chapter string) (known, reserved bool)
	// HSFull reports whether the full official HS nomenclature is loaded, in
	// which case HSCode checks headings and subheadings exactly.
	HSFull() bool
	// HSCode reports whether a 4- or 6-digit code exists in the loaded
	// nomenclature. Only meaningful when HSFull is true.
	HSCode(code string) bool
	Unit(code string) bool
	Currency(code string) bool
	Category(code string) bool
	Transport(code string) bool
	Detection(code string) bool
	Concealment(code string) bool
}
