package directory

import "strings"

// The methods below implement intel.Codes. Codes are matched exactly as they
// are stored in records: country and currency codes in capitals, the other
// lists in lower case.

// Country reports whether code is an assigned ISO 3166-1 alpha-2 code.
func (d *Directory) Country(code string) bool {
	_, ok := d.countryIdx[code]
	return ok
}

// Currency reports whether code is an ISO 4217 currency in current use.
func (d *Directory) Currency(code string) bool {
	_, ok := d.currencyIdx[code]
	return ok
}

// Unit reports whether code is a unit of quantity.
func (d *Directory) Unit(code string) bool { return d.units.has(code) }

// Transport reports whether code is a mode of transport.
func (d *Directory) Transport(code string) bool { return d.transport.has(code) }

// Detection reports whether code is a detection method.
func (d *Directory) Detection(code string) bool { return d.detection.has(code) }

// Concealment reports whether code is a concealment method.
func (d *Directory) Concealment(code string) bool { return d.concealment.has(code) }

// Category reports whether code is a commodity category. Only leaves
// ("section/commodity", e.g. "drugs/cocaine") are valid in records; a section
// alone is not.
func (d *Directory) Category(code string) bool { return d.leaves[code] }

// CategorySection reports whether code is a section of the commodity
// categories ("drugs"), as listing filters use it.
func (d *Directory) CategorySection(code string) bool {
	for _, s := range d.categories {
		if s.Code == code {
			return true
		}
	}
	return false
}

// CategoryLabel returns the label of a category leaf or section in lang, as
// "Section / Commodity" for a leaf, or "" for an unknown code.
func (d *Directory) CategoryLabel(code, lang string) string {
	sec, com, leaf := strings.Cut(code, "/")
	for _, s := range d.categories {
		if s.Code != sec {
			continue
		}
		if !leaf {
			return s.Labels.In(lang)
		}
		for _, c := range s.Commodities {
			if c.Code == com {
				return s.Labels.In(lang) + " / " + c.Label(lang)
			}
		}
	}
	return ""
}
