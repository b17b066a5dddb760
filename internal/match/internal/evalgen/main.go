// Command evalgen writes the labelled evaluation set of the cross-matching
// engine: pairs of entities drawn from synthetic records (package synth),
// each labelled as the same identity or not.
//
// True pairs are two mentions of one recurring identity of the generator's
// pool under different spellings: native script against Latin, one
// romanisation against another, reordered tokens, shortened names, typing
// slips. Hard non-pairs are mentions of different people or companies of
// the same type that look alike: they share a name token after
// normalisation (often a common surname such as Chan, Wong or Mohammed),
// or have the same nationality, or score high on name alone.
//
// The "similar name" non-pairs are chosen with match.Compare, so a change
// to scoring can change which pairs are drawn; regenerate the set after
// such a change. The output is deterministic for a seed and a version of
// the engine:
//
//	go run ./internal/match/internal/evalgen -seed 5 -out internal/match/testdata/eval/pairs.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"liaison/internal/match"
	"liaison/internal/match/norm"
	"liaison/internal/synth"
)

// Pair is one labelled pair.
type Pair struct {
	A        match.Entity `json:"a"`
	B        match.Entity `json:"b"`
	Same     bool         `json:"same"`
	Category string       `json:"category"`
	Identity string       `json:"identity,omitempty"`
}

type mention struct {
	e        match.Entity
	identity string // "" for a party that appears only once
	culture  string
	gen      int
}

func main() {
	seed := flag.Int64("seed", 5, "random seed")
	records := flag.Int("records", 1500, "records generated per originator")
	out := flag.String("out", "internal/match/testdata/eval/pairs.jsonl", "output file")
	flag.Parse()
	if err := run(*seed, *records, *out); err != nil {
		fmt.Fprintln(os.Stderr, "evalgen:", err)
		os.Exit(1)
	}
}

func run(seed int64, records int, out string) error {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var ms []mention
	for gi, origin := range []string{"HK", "CN", "FR", "RU", "AE", "JP", "NG"} {
		g := synth.New(seed+int64(gi), origin)
		cultures := map[string]string{}
		for _, id := range g.Identities() {
			cultures[id.ID] = id.Culture
		}
		for range records {
			r, labels := g.Labelled(now)
			byPath := map[string]synth.PartyLabel{}
			for _, l := range labels {
				byPath[l.Path] = l
			}
			for _, e := range match.Extract(r) {
				if e.Type != match.Person && e.Type != match.Organisation {
					continue
				}
				l, ok := byPath[e.Path]
				if !ok {
					continue // aliases
				}
				m := mention{e: e, gen: gi}
				if l.Identity != "" {
					m.identity = fmt.Sprintf("%s-%s", origin, l.Identity)
					m.culture = cultures[l.Identity]
				}
				ms = append(ms, m)
			}
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6576616c))
	nm, err := norm.New()
	if err != nil {
		return err
	}
	pairs := truePairs(ms, rng)
	pairs = append(pairs, hardNonPairs(ms, nm, rng, len(pairs))...)
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, p := range pairs {
		if err := enc.Encode(p); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	same := 0
	for _, p := range pairs {
		if p.Same {
			same++
		}
	}
	fmt.Printf("%d pairs: %d true, %d hard non-pairs\n", len(pairs), same, len(pairs)-same)
	return nil
}

// truePairs pairs mentions of each identity whose names differ, at most
// four pairs per identity.
func truePairs(ms []mention, rng *rand.Rand) []Pair {
	by := map[string][]int{}
	var ids []string
	for i, m := range ms {
		if m.identity == "" {
			continue
		}
		if _, ok := by[m.identity]; !ok {
			ids = append(ids, m.identity)
		}
		by[m.identity] = append(by[m.identity], i)
	}
	var out []Pair
	for _, id := range ids {
		idx := by[id]
		var cands [][2]int
		for x := 0; x < len(idx); x++ {
			for y := x + 1; y < len(idx); y++ {
				if ms[idx[x]].e.Name != ms[idx[y]].e.Name {
					cands = append(cands, [2]int{idx[x], idx[y]})
				}
			}
		}
		rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		for _, c := range cands[:min(4, len(cands))] {
			a, b := ms[c[0]], ms[c[1]]
			out = append(out, Pair{A: a.e, B: b.e, Same: true, Category: string(a.e.Type) + "/" + a.culture, Identity: id})
		}
	}
	return out
}

// hardNonPairs draws pairs of different identities that look alike: about
// n of them, half sharing a name token, a quarter of the same nationality
// or country, a quarter the most similar by name among random draws.
func hardNonPairs(ms []mention, nm *norm.Normalizer, rng *rand.Rand, n int) []Pair {
	tokens := make([][]string, len(ms))
	byTok := map[string][]int{}
	for i, m := range ms {
		kind := norm.Person
		if m.e.Type == match.Organisation {
			kind = norm.Organisation
		}
		for _, r := range nm.Name(m.e.Name, kind) {
			for _, t := range r.Tokens {
				if !slices.Contains(tokens[i], t[0]) {
					tokens[i] = append(tokens[i], t[0])
					byTok[string(m.e.Type)+":"+t[0]] = append(byTok[string(m.e.Type)+":"+t[0]], i)
				}
			}
		}
	}
	// Two companies of one country with the same name after legal forms
	// are stripped cannot be told apart by name, and registries do not
	// allow them: the generator's small vocabulary makes such pairs, which
	// are left out rather than labelled different.
	sameCompanyName := func(a, b mention) bool {
		if a.e.Type != match.Organisation || a.e.Country != b.e.Country {
			return false
		}
		ra, rb := nm.Name(a.e.Name, norm.Organisation), nm.Name(b.e.Name, norm.Organisation)
		for _, x := range ra {
			for _, y := range rb {
				if x.Scheme == "" && y.Scheme != "" || x.Scheme != "" && y.Scheme == "" || x.Scheme == y.Scheme {
					if joined(x) == joined(y) {
						return true
					}
				}
			}
		}
		return false
	}
	different := func(a, b mention) bool {
		return a.e.Type == b.e.Type && (a.identity == "" || a.identity != b.identity) && a.e.Name != "" && b.e.Name != "" && !sameCompanyName(a, b)
	}
	seen := map[[2]int]bool{}
	var out []Pair
	addPair := func(i, j int, cat string) bool {
		if i == j || seen[[2]int{i, j}] || seen[[2]int{j, i}] || !different(ms[i], ms[j]) {
			return false
		}
		seen[[2]int{i, j}] = true
		out = append(out, Pair{A: ms[i].e, B: ms[j].e, Category: "nonpair/" + cat})
		return true
	}
	for tries := 0; len(out) < n/2 && tries < n*50; tries++ {
		i := rng.IntN(len(ms))
		if len(tokens[i]) == 0 {
			continue
		}
		t := tokens[i][rng.IntN(len(tokens[i]))]
		list := byTok[string(ms[i].e.Type)+":"+t]
		addPair(i, list[rng.IntN(len(list))], "shared-token")
	}
	byNat := map[string][]int{}
	for i, m := range ms {
		k := string(m.e.Type) + ":" + m.e.Nationality + m.e.Country
		byNat[k] = append(byNat[k], i)
	}
	for tries := 0; len(out) < n*3/4 && tries < n*50; tries++ {
		i := rng.IntN(len(ms))
		list := byNat[string(ms[i].e.Type)+":"+ms[i].e.Nationality+ms[i].e.Country]
		addPair(i, list[rng.IntN(len(list))], "same-nationality")
	}
	for tries := 0; len(out) < n && tries < n*20; tries++ {
		i := rng.IntN(len(ms))
		best, bestScore := -1, 0.0
		for range 40 {
			j := rng.IntN(len(ms))
			if !different(ms[i], ms[j]) || i == j {
				continue
			}
			a, b := ms[i].e, ms[j].e
			a.BirthDate, b.BirthDate, a.Document, b.Document = "", "", "", ""
			if s, _ := match.Compare(nm, a, b); s > bestScore {
				best, bestScore = j, s
			}
		}
		if best >= 0 {
			addPair(i, best, "similar-name")
		}
	}
	return out
}

func joined(r norm.Rendering) string {
	var b []byte
	for _, t := range r.Tokens {
		b = append(b, t[0]...)
	}
	return string(b)
}
