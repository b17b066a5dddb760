// Package shareddata locates the public reference data files (HS 2022,
// ISO 3166, UN/LOCODE) that tests read from outside the repository: the
// project does not copy them, as an administrator would load them with
// `liaison refdata load`.
package shareddata

import (
	"os"
	"path/filepath"
)

// Env names a folder holding the reference data; it overrides the search.
const Env = "LIAISON_SHARED_DATA"

// probe is a file every reference data folder holds.
const probe = "harmonized-system.csv"

// Dir returns the reference data folder: $LIAISON_SHARED_DATA when set,
// otherwise the first `shared/data` found beside the working directory or
// one of its parents (the layout of a checkout next to ../shared). It
// returns "../shared/data" relative to the first parent holding go.mod when
// nothing is found, so that errors name the place looked for.
func Dir() string {
	if d := os.Getenv(Env); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "data")
	}
	fallback := ""
	for d := wd; ; d = filepath.Dir(d) {
		for _, c := range []string{filepath.Join(d, "shared", "data"), filepath.Join(d, "..", "shared", "data")} {
			if _, err := os.Stat(filepath.Join(c, probe)); err == nil {
				return filepath.Clean(c)
			}
		}
		if fallback == "" {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				fallback = filepath.Join(d, "..", "shared", "data")
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if fallback == "" {
		fallback = filepath.Join("..", "shared", "data")
	}
	return filepath.Clean(fallback)
}
