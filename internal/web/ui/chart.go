package ui

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

// chartMonths is how many months the dashboard chart shows.
const chartMonths = 12

// palette colours the category sections of the chart; chosen to stay
// distinguishable in print and for the commonest colour blindness.
var palette = []string{"#1b6ca8", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7a7a7a", "#332288"}

// monthSeries counts records per month (YYYY-MM) and series.
type monthSeries struct {
	months []string
	series []string
	counts map[string]map[string]int // month -> series -> count
}

// lastMonths returns the n months ending with the month of now, oldest
// first, as YYYY-MM.
func lastMonths(now time.Time, n int) []string {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -(n - 1), 0)
	out := make([]string, n)
	for i := range out {
		out[i] = first.AddDate(0, i, 0).Format("2006-01")
	}
	return out
}

func newMonthSeries(months, series []string) *monthSeries {
	m := &monthSeries{months: months, series: series, counts: map[string]map[string]int{}}
	for _, mo := range months {
		m.counts[mo] = map[string]int{}
	}
	return m
}

// add counts one record of series in month; months outside the chart are
// ignored.
func (m *monthSeries) add(month, series string) {
	if c, ok := m.counts[month]; ok {
		c[series]++
	}
}

func (m *monthSeries) total() int {
	n := 0
	for _, c := range m.counts {
		for _, v := range c {
			n += v
		}
	}
	return n
}

// svg draws the series as stacked monthly bars with a y axis, month labels
// and a legend, all in the locale's language. label names a series. The
// result is static SVG: no script, no external resource.
func (m *monthSeries) svg(l *Locale, title string, label func(string) string) template.HTML {
	const (
		width, height     = 760, 300
		left, right       = 48, 200
		top, bottom       = 16, 40
		plotW, plotH      = width - left - right, height - top - bottom
		legendX, legendDY = width - right + 16, 18
	)
	maxTotal := 0
	for _, mo := range m.months {
		t := 0
		for _, v := range m.counts[mo] {
			t += v
		}
		maxTotal = max(maxTotal, t)
	}
	step := niceStep(maxTotal)
	yMax := step * int(math.Ceil(float64(max(maxTotal, 1))/float64(step)))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title">`, width, height)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(title))
	for v := 0; v <= yMax; v += step {
		y := top + plotH - plotH*v/yMax
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="grid"/>`, left, y, left+plotW, y)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="end">%s</text>`, left-6, y+4, template.HTMLEscapeString(l.Num(v)))
	}
	slot := plotW / len(m.months)
	barW := slot * 2 / 3
	for i, mo := range m.months {
		x := left + i*slot + (slot-barW)/2
		y := top + plotH
		for j, s := range m.series {
			v := m.counts[mo][s]
			if v == 0 {
				continue
			}
			hgt := plotH * v / yMax
			y -= hgt
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s — %s: %s</title></rect>`,
				x, y, barW, hgt, palette[j%len(palette)], template.HTMLEscapeString(l.Month(mo)+" "+mo[:4]),
				template.HTMLEscapeString(label(s)), template.HTMLEscapeString(l.Num(v)))
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="middle">%s</text>`, x+barW/2, top+plotH+16,
			template.HTMLEscapeString(l.Month(mo)))
		if i == 0 || mo[5:] == "01" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="middle">%s</text>`, x+barW/2, top+plotH+32, mo[:4])
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="base"/>`, left, top+plotH, left+plotW, top+plotH)
	for j, s := range m.series {
		y := top + j*legendDY
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`, legendX, y, palette[j%len(palette)])
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="legend">%s</text>`, legendX+18, y+10, template.HTMLEscapeString(label(s)))
	}
	b.WriteString(`</svg>`)
	// Every text in the SVG was escaped above.
	return template.HTML(b.String())
}

// niceStep returns a grid step of 1, 2 or 5 times a power of ten giving
// at most about five lines up to maxV.
func niceStep(maxV int) int {
	if maxV <= 5 {
		return 1
	}
	raw := float64(maxV) / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= raw {
			return int(f * p)
		}
	}
	return int(10 * p)
}
