package synth

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// nameSet is one name in every rendering the generator knows for it. The
// first variant is the canonical form (native script where the culture has
// one); latin is the index of the usual Latin rendering.
type nameSet struct {
	variants []string
	latin    int
	// given and family are ASCII-friendly parts used to build e-mail
	// addresses.
	given, family string
}

// add appends the variants that are new, keeping the first occurrence.
func (n *nameSet) add(vs ...string) {
	for _, v := range vs {
		v = strings.Join(strings.Fields(v), " ")
		if v != "" && !slices.Contains(n.variants, v) {
			n.variants = append(n.variants, v)
		}
	}
}

// setLatin records the index of the usual Latin rendering, adding it if
// needed.
func (n *nameSet) setLatin(v string) {
	n.add(v)
	n.latin = slices.Index(n.variants, strings.Join(strings.Fields(v), " "))
}

// personName makes a new person's name in the naming tradition of a
// culture, with its variant spellings.
func (g *Generator) personName(cultureID, gender string) nameSet {
	switch cultureID {
	case "zh-HK", "zh-CN", "zh-TW":
		return g.hanName(cultureID, gender)
	case "ja":
		return g.japaneseName(gender)
	case "ru", "uk":
		return g.cyrillicName(cultureID, gender)
	}
	c := g.t.cultures[cultureID]
	switch c.Pattern {
	case "korean":
		return g.koreanName(c, gender)
	case "vietnamese":
		return g.vietnameseName(c, gender)
	case "familyfirst":
		return g.familyFirstName(c, gender)
	case "hispanic":
		return g.hispanicName(c, gender)
	case "lusophone":
		return g.lusophoneName(c, gender)
	case "arabic":
		return g.arabicName(c, gender, false)
	case "malay":
		return g.malayName(c, gender)
	case "burmese":
		return g.burmeseName(c, gender)
	}
	if c.SameAs == "ar" {
		return g.arabicName(c, gender, true)
	}
	return g.westernName(c, gender)
}

// given returns the given names of a gender ("m" or "f").
func (c *culture) given(gender string) []token {
	if gender == "f" && len(c.female) > 0 {
		return c.female
	}
	return c.male
}

// middle returns the middle names (or father's names) of a gender.
func (c *culture) middle(gender string) []token {
	if gender == "f" {
		return c.midF
	}
	return c.midM
}

// pickToken returns a token different from the ones given.
func (g *Generator) pickToken(list []token, not ...token) token {
	for range 8 {
		t := list[g.rng.IntN(len(list))]
		if !slices.ContainsFunc(not, func(o token) bool { return o.native == t.native }) {
			return t
		}
	}
	return list[g.rng.IntN(len(list))]
}

// alt returns one of the token's alternative Latin renderings, or its usual
// one when it has none.
func (g *Generator) alt(t token) string {
	if len(t.alts) == 0 {
		return t.latin
	}
	return t.alts[g.rng.IntN(len(t.alts))]
}

func natives(ts ...token) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, t.native)
	}
	return strings.Join(parts, " ")
}

func latins(ts ...token) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, t.latin)
	}
	return strings.Join(parts, " ")
}

func (g *Generator) alts(ts ...token) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, g.alt(t))
	}
	return strings.Join(parts, " ")
}

// initial returns "J." for "John" and "J.-P." for "Jean-Pierre".
func initial(s string) string {
	var parts []string
	for _, p := range strings.Split(s, "-") {
		if r, _ := utf8.DecodeRuneInString(p); r != utf8.RuneError {
			parts = append(parts, string(r)+".")
		}
	}
	return strings.Join(parts, "-")
}

// typo introduces one slip of the kind made when a name is retyped: two
// letters swapped, one dropped, one doubled or a vowel confused. Only
// lower-case ASCII letters inside a word of four letters or more are
// touched, so the result still reads as the same name.
func (g *Generator) typo(s string) string {
	rs := []rune(s)
	var at []int
	word := 0
	for i, r := range rs {
		if unicode.IsLetter(r) {
			word++
		} else {
			word = 0
		}
		if word >= 2 && r >= 'a' && r <= 'z' && wordLen(rs, i) >= 4 {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s
	}
	i := at[g.rng.IntN(len(at))]
	switch g.rng.IntN(4) {
	case 0:
		if i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z' && rs[i+1] != rs[i] {
			rs[i], rs[i+1] = rs[i+1], rs[i]
			return string(rs)
		}
		fallthrough
	case 1:
		return string(slices.Delete(rs, i, i+1))
	case 2:
		return string(slices.Insert(rs, i, rs[i]))
	default:
		const vowels = "aeiou"
		if strings.ContainsRune(vowels, rs[i]) {
			rs[i] = rune(vowels[(strings.IndexRune(vowels, rs[i])+1+g.rng.IntN(4))%5])
		} else {
			rs[i] = rune('a' + g.rng.IntN(26))
		}
		return string(rs)
	}
}

// wordLen is the length of the word around position i.
func wordLen(rs []rune, i int) int {
	lo, hi := i, i
	for lo > 0 && unicode.IsLetter(rs[lo-1]) {
		lo--
	}
	for hi < len(rs) && unicode.IsLetter(rs[hi]) {
		hi++
	}
	return hi - lo
}

func upper(s string) string { return strings.ToUpper(s) }

// hanName builds a Chinese name: Hong Kong residents are written in
// traditional characters and Cantonese romanisation, mainland Chinese in
// simplified characters and Hanyu Pinyin, residents of Taiwan in
// traditional characters and Wade-Giles.
func (g *Generator) hanName(cultureID, gender string) nameSet {
	h := &g.t.han
	sur := h.Surnames[g.rng.IntN(len(h.Surnames))]
	n := 2
	if g.chance(0.15) {
		n = 1
	}
	var given []hanChar
	for len(given) < n {
		c := h.Given[g.rng.IntN(len(h.Given))]
		if (c.G == "" || c.G == gender) && !slices.ContainsFunc(given, func(o hanChar) bool { return o.T == c.T }) {
			given = append(given, c)
		}
	}
	var trad, simp strings.Builder
	trad.WriteString(sur.T)
	simp.WriteString(sur.S)
	yue := make([]string, n)
	py := make([]string, n)
	wg := make([]string, n)
	for i, c := range given {
		trad.WriteString(c.T)
		simp.WriteString(c.S)
		yue[i], py[i], wg[i] = c.Yue, c.Py, c.Wg
	}
	yueGiven := strings.Join(yue, " ")
	yueHyphen := hyphenate(yue)
	pyGiven := pinyinJoin(py)
	wgGiven := hyphenate(wg)

	var ns nameSet
	switch cultureID {
	case "zh-CN":
		latin := sur.Py + " " + pyGiven
		ns.add(simp.String())
		ns.setLatin(latin)
		ns.add(upper(latin), pyGiven+" "+sur.Py, sur.Py+" "+strings.Join(py, " "), trad.String(), g.typo(latin))
		ns.given, ns.family = pyGiven, sur.Py
	case "zh-TW":
		latin := sur.Wg + " " + wgGiven
		ns.add(trad.String())
		ns.setLatin(latin)
		ns.add(upper(sur.Wg)+", "+upper(wgGiven), wgGiven+" "+sur.Wg, sur.Py+" "+pyGiven, g.typo(latin))
		ns.given, ns.family = wgGiven, sur.Wg
	default:
		latin := sur.Yue + " " + yueGiven
		ns.add(trad.String())
		ns.setLatin(latin)
		ns.add(upper(sur.Yue)+" "+yueHyphen, yueGiven+" "+sur.Yue, sur.Py+" "+pyGiven)
		if g.chance(0.4) {
			english := h.EnglishMale
			if gender == "f" {
				english = h.EnglishFemale
			}
			e := english[g.rng.IntN(len(english))]
			ns.add(e+" "+latin, e+" "+sur.Yue, upper(sur.Yue)+", "+e+" "+yueGiven)
		}
		ns.add(g.typo(latin))
		ns.given, ns.family = strings.Join(yue, ""), sur.Yue
	}
	return ns
}

// hyphenate writes romanised syllables of a given name the way Hong Kong
// and Taiwan documents do: "Tai-man", "Ta-wen".
func hyphenate(syl []string) string {
	if len(syl) == 0 {
		return ""
	}
	out := syl[0]
	for _, s := range syl[1:] {
		out += "-" + strings.ToLower(s)
	}
	return out
}

// pinyinJoin writes a Pinyin given name as one word, with an apostrophe
// before a syllable starting with a, e or o ("Jia'an").
func pinyinJoin(syl []string) string {
	if len(syl) == 0 {
		return ""
	}
	out := syl[0]
	for _, s := range syl[1:] {
		s = strings.ToLower(s)
		if strings.ContainsRune("aeo", rune(s[0])) {
			out += "'"
		}
		out += s
	}
	return out
}

// japaneseName builds a Japanese name in kanji, Hepburn romanisation with
// and without long-vowel marks, and katakana.
func (g *Generator) japaneseName(gender string) nameSet {
	j := &g.t.japanese
	fam := j.Family[g.rng.IntN(len(j.Family))]
	list := j.Male
	if gender == "f" {
		list = j.Female
	}
	giv := list[g.rng.IntN(len(list))]
	altOf := func(k kanaName) string {
		if len(k.V) == 0 {
			return k.L
		}
		return k.V[g.rng.IntN(len(k.V))]
	}
	latin := giv.L + " " + fam.L
	var ns nameSet
	ns.add(fam.N + giv.N)
	ns.setLatin(latin)
	ns.add(upper(fam.L)+" "+giv.L, fam.L+" "+giv.L, altOf(giv)+" "+altOf(fam), fam.K+" "+giv.K, g.typo(latin))
	ns.given, ns.family = giv.L, fam.L
	return ns
}

// koreanName builds a Korean name in Hangul with the usual and the Revised
// Romanisation spellings.
func (g *Generator) koreanName(c *culture, gender string) nameSet {
	fam := g.pickToken(c.family)
	giv := g.pickToken(c.given(gender))
	latin := fam.latin + " " + giv.latin
	var ns nameSet
	ns.add(fam.native + giv.native)
	ns.setLatin(latin)
	ns.add(giv.latin+" "+fam.latin, g.alt(fam)+" "+g.alt(giv), upper(fam.latin+" "+strings.ReplaceAll(giv.latin, "-", " ")), g.typo(latin))
	ns.given, ns.family = strings.ReplaceAll(giv.latin, "-", ""), fam.latin
	return ns
}

// cyrillicName builds a Russian or Ukrainian name with patronymic, in
// Cyrillic and in several transliterations.
func (g *Generator) cyrillicName(cultureID, gender string) nameSet {
	d := g.t.cyrillic[cultureID]
	fi := 0
	given := d.Male
	if gender == "f" {
		fi, given = 1, d.Female
	}
	giv := given[g.rng.IntN(len(given))]
	patr := d.Patronymic[g.rng.IntN(len(d.Patronymic))][fi]
	fam := d.Family[g.rng.IntN(len(d.Family))][fi]
	primary, others := schemeICAO, []string{schemeCommon, schemeGerman, schemeFrench}
	if cultureID == "uk" {
		primary, others = schemeUkrainian, []string{schemeICAO, schemeCommon}
	}
	tr := func(s, scheme string) string { return g.t.tr.translit(s, scheme) }
	latin := tr(giv, primary) + " " + tr(patr, primary) + " " + tr(fam, primary)
	var ns nameSet
	ns.add(giv + " " + patr + " " + fam)
	ns.setLatin(latin)
	ns.add(tr(giv, primary)+" "+tr(fam, primary), upper(tr(fam, primary)+" "+tr(giv, primary)))
	for _, s := range others {
		ns.add(tr(giv, s) + " " + tr(fam, s))
	}
	ns.add(fam+" "+giv+" "+patr, g.typo(latin))
	ns.given, ns.family = tr(giv, primary), tr(fam, primary)
	return ns
}

// vietnameseName builds a Vietnamese name (family, middle, given) with and
// without diacritics and in Western order.
func (g *Generator) vietnameseName(c *culture, gender string) nameSet {
	fam := g.pickToken(c.family)
	mid := g.pickToken(c.middle(gender))
	giv := g.pickToken(c.given(gender))
	latin := latins(fam, mid, giv)
	var ns nameSet
	ns.add(natives(fam, mid, giv))
	ns.setLatin(latin)
	ns.add(upper(latin), latins(mid, giv, fam), latins(fam, giv), latins(giv, fam), g.typo(latin))
	ns.given, ns.family = giv.latin, fam.latin
	return ns
}

// familyFirstName builds a name written family name first, as in Cambodia.
func (g *Generator) familyFirstName(c *culture, gender string) nameSet {
	fam := g.pickToken(c.family)
	giv := g.pickToken(c.given(gender))
	latin := latins(fam, giv)
	var ns nameSet
	ns.add(natives(fam, giv))
	ns.setLatin(latin)
	ns.add(upper(fam.latin)+" "+giv.latin, latins(giv, fam), g.alts(fam, giv), g.typo(latin))
	ns.given, ns.family = giv.latin, fam.latin
	return ns
}

// westernName builds a name written given name(s) first and family name
// last, possibly with a middle name, in its native script and Latin.
func (g *Generator) westernName(c *culture, gender string) nameSet {
	giv := g.pickToken(c.given(gender))
	parts := []token{giv}
	var mid *token
	if g.chance(c.MiddleP) {
		list := c.middle(gender)
		if len(list) == 0 {
			list = c.given(gender)
		}
		m := g.pickToken(list, giv)
		mid = &m
		parts = append(parts, m)
	}
	fam := g.pickToken(c.family)
	parts = append(parts, fam)
	latin := latins(parts...)
	var ns nameSet
	if !c.LatinOnly {
		ns.add(natives(parts...))
	}
	ns.setLatin(latin)
	ns.add(g.alts(parts...))
	if mid != nil {
		ns.add(upper(fam.latin)+", "+giv.latin+" "+mid.latin, latins(giv, fam), giv.latin+" "+initial(mid.latin)+" "+fam.latin)
	} else {
		ns.add(upper(fam.latin) + ", " + giv.latin)
	}
	ns.add(latins(fam, giv), g.typo(latin))
	ns.given, ns.family = giv.latin, fam.latin
	return ns
}

// hispanicName builds a Spanish-language name: one or two given names,
// paternal and maternal family names.
func (g *Generator) hispanicName(c *culture, gender string) nameSet {
	given := []token{g.pickToken(c.given(gender))}
	if g.chance(0.4) {
		given = append(given, g.pickToken(c.given(gender), given[0]))
	}
	pat := g.pickToken(c.family)
	fams := []token{pat}
	if g.chance(0.9) {
		fams = append(fams, g.pickToken(c.family, pat))
	}
	all := append(slices.Clone(given), fams...)
	latin := latins(all...)
	var ns nameSet
	ns.add(natives(all...))
	ns.setLatin(latin)
	ns.add(latins(given[0], pat), upper(latins(fams...))+", "+upper(latins(given...)), natives(append([]token{given[0]}, fams...)...))
	if len(given) > 1 {
		ns.add(given[0].latin + " " + initial(given[1].latin) + " " + pat.latin)
	}
	ns.add(g.typo(latin))
	ns.given, ns.family = given[0].latin, pat.latin
	return ns
}

// lusophoneName builds a Portuguese-language name: given names, the
// mother's family name, often a particle, and the father's family name.
func (g *Generator) lusophoneName(c *culture, gender string) nameSet {
	given := []token{g.pickToken(c.given(gender))}
	if g.chance(0.4) {
		given = append(given, g.pickToken(c.given(gender), given[0]))
	}
	pat := g.pickToken(c.family)
	var mat *token
	if g.chance(0.7) {
		m := g.pickToken(c.family, pat)
		mat = &m
	}
	particle := ""
	if g.chance(0.4) {
		particle = []string{"da", "dos", "de"}[g.rng.IntN(3)]
	}
	build := func(latin, withParticle bool) string {
		var parts []string
		for _, t := range given {
			parts = append(parts, pickForm(t, latin))
		}
		if mat != nil {
			parts = append(parts, pickForm(*mat, latin))
		}
		if particle != "" && withParticle {
			parts = append(parts, particle)
		}
		parts = append(parts, pickForm(pat, latin))
		return strings.Join(parts, " ")
	}
	latin := build(true, true)
	var ns nameSet
	ns.add(build(false, true))
	ns.setLatin(latin)
	ns.add(build(true, false), latins(given[0], pat), upper(pat.latin)+", "+latins(given...), g.typo(latin))
	ns.given, ns.family = given[0].latin, pat.latin
	return ns
}

func pickForm(t token, latin bool) string {
	if latin {
		return t.latin
	}
	return t.native
}

// arabicName builds an Arabic name: given name, father's name and family
// name, in Arabic script (unless latinOnly) and in several
// transliterations.
func (g *Generator) arabicName(c *culture, gender string, latinOnly bool) nameSet {
	giv := g.pickToken(c.given(gender))
	father := g.pickToken(c.male, giv)
	fam := g.pickToken(c.family)
	latin := latins(giv, father, fam)
	var ns nameSet
	if !latinOnly {
		ns.add(natives(giv, father, fam))
	}
	ns.setLatin(latin)
	link := " bin "
	if gender == "f" {
		link = " bint "
	}
	ns.add(g.alts(giv, father, fam), latins(giv, fam), giv.latin+link+father.latin+" "+fam.latin,
		upper(fam.latin)+", "+latins(giv, father), g.typo(latin))
	ns.given, ns.family = giv.latin, fam.latin
	return ns
}

// malayName builds a Malay name: given names, bin or binti, and the
// father's name.
func (g *Generator) malayName(c *culture, gender string) nameSet {
	given := []token{g.pickToken(c.given(gender))}
	if g.chance(0.7) {
		given = append(given, g.pickToken(c.given(gender), given[0]))
	}
	father := g.pickToken(c.family)
	link, short := "bin", "B."
	if gender == "f" {
		link, short = "binti", "BT."
	}
	latin := latins(given...) + " " + link + " " + father.latin
	var ns nameSet
	ns.setLatin(latin)
	ns.add(g.alts(given...)+" "+father.latin, upper(latins(given...))+" "+short+" "+upper(father.latin))
	if len(given) > 1 {
		ns.add(given[1].latin + " " + link + " " + father.latin)
	}
	ns.add(g.typo(latin))
	ns.given, ns.family = given[len(given)-1].latin, father.latin
	return ns
}

// burmeseName builds a Myanmar name, which has no family name.
func (g *Generator) burmeseName(c *culture, gender string) nameSet {
	list := c.given(gender)
	parts := []token{g.pickToken(list)}
	for n := 2 + g.rng.IntN(2); len(parts) < n; {
		parts = append(parts, g.pickToken(list, parts...))
	}
	latin := latins(parts...)
	honorific := "U "
	if gender == "f" {
		honorific = "Daw "
	}
	var ns nameSet
	ns.setLatin(latin)
	ns.add(honorific+latin, g.alts(parts...), upper(latin), g.typo(latin))
	ns.given, ns.family = parts[0].latin, parts[len(parts)-1].latin
	return ns
}

// orgName makes a new company name in the conventions of a country, with
// its variant spellings, and a domain-like slug for e-mail addresses.
func (g *Generator) orgName(c *country) (nameSet, string) {
	oc := g.t.orgs[c.Org]
	latinOf := func(t token) string { return t.latin }
	altOf := g.alt
	if oc.Translit != "" {
		primary, other := schemeICAO, schemeCommon
		if oc.Translit == "uk" {
			primary, other = schemeUkrainian, schemeICAO
		}
		latinOf = func(t token) string { return g.t.tr.translit(t.native, primary) }
		altOf = func(t token) string { return g.t.tr.translit(t.native, other) }
	}
	name := g.pickToken(oc.names)
	parts := map[string]*token{"name": &name}
	if len(oc.business) > 0 && g.chance(0.85) {
		b := g.pickToken(oc.business)
		parts["business"] = &b
	}
	var city *token
	if len(oc.cities) > 0 {
		ct := g.pickToken(oc.cities)
		city = &ct
	}
	order := oc.Order
	if len(order) == 0 {
		order = []string{"name", "business"}
	}
	nativeOrder := oc.NativeOrder
	if len(nativeOrder) == 0 {
		nativeOrder = order
	}
	sep := " "
	if oc.Sep != nil {
		sep = *oc.Sep
	}
	join := func(ord []string, s string, render func(token) string) string {
		var out []string
		if city != nil {
			out = append(out, render(*city))
		}
		for _, k := range ord {
			if t := parts[k]; t != nil {
				out = append(out, render(*t))
			}
		}
		return strings.Join(out, s)
	}
	nativeCore := join(nativeOrder, sep, func(t token) string { return t.native })
	latinCore := join(order, " ", latinOf)
	altCore := join(order, " ", altOf)
	form := g.pickToken(oc.forms)
	apply := func(f, core string) string { return strings.ReplaceAll(f, "{}", core) }

	latin := apply(form.latin, latinCore)
	var ns nameSet
	ns.add(apply(form.native, nativeCore))
	ns.setLatin(latin)
	for _, a := range form.alts {
		ns.add(apply(a, latinCore))
	}
	ns.add(upper(stripPunct(latin)), latinCore, apply(form.latin, altCore), g.typo(latin))
	slug := slugify(latinOf(name))
	if b := parts["business"]; b != nil {
		slug += "-" + slugify(latinOf(*b))
	}
	return ns, slug
}

// stripPunct drops the punctuation of legal forms, as in manifests:
// "Co., Ltd." becomes "Co Ltd".
func stripPunct(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '.' || r == ',' || r == '"' || r == '«' || r == '»' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// slugify keeps the ASCII letters and digits of s, lower-cased, joining
// words with hyphens.
func slugify(s string) string {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, w)
		if w != "" {
			words = append(words, w)
		}
	}
	return strings.Join(words, "-")
}
