package match

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"liaison/internal/match/norm"
)

// TestNameCache checks that the cache gives what Name gives, for names
// looked up from two goroutines at once and far more of them than it
// holds, that a name looked up again is answered from the cache, and that
// a name is kept apart by its kind.
func TestNameCache(t *testing.T) {
	nm, err := norm.New()
	if err != nil {
		t.Fatal(err)
	}
	c := newNameCache(1 << 10)
	names := make([]string, 0, 6000)
	for i := range cap(names) {
		switch i % 3 {
		case 0:
			names = append(names, fmt.Sprintf("Golden Harvest %d Trading Co., Ltd.", i))
		case 1:
			names = append(names, fmt.Sprintf("Chan Tai Man %d", i))
		default:
			names = append(names, fmt.Sprintf("陳大文 %d", i%200))
		}
	}
	kinds := []norm.Kind{norm.Person, norm.Organisation, norm.Person | norm.MaybeJapanese}
	var wg sync.WaitGroup
	errs := make(chan string, 2)
	for g := range 2 {
		wg.Go(func() {
			for i := range 3 * len(names) {
				s, k := names[(i*7+g)%len(names)], kinds[(i+g)%len(kinds)]
				if got, want := c.name(nm, s, k), nm.Name(s, k); !reflect.DeepEqual(got, want) {
					errs <- fmt.Sprintf("name(%q, %d) = %v, Name gives %v", s, k, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	a := c.name(nm, "Nordhafen GmbH & Co. KG", norm.Organisation)
	if b := c.name(nm, "Nordhafen GmbH & Co. KG", norm.Organisation); &a[0] != &b[0] {
		t.Error("a name looked up twice was normalised twice")
	}
	p := c.name(nm, "Nordhafen GmbH & Co. KG", norm.Person)
	if &p[0] == &a[0] || !reflect.DeepEqual(p, nm.Name("Nordhafen GmbH & Co. KG", norm.Person)) {
		t.Errorf("as a person's name: %v, the organisation's renderings or not Name's", p)
	}
}
