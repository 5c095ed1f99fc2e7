package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The SVG writer: just what the four charts need — text, lines, rectangles,
// polylines and circles — written deterministically (the same input always
// gives the same bytes, so a test can compare committed plots with fresh
// ones).

const font = `font-family="DejaVu Sans, Helvetica, Arial, sans-serif"`

// Colours: gorc is always blue, peers orange/grey, floors grey.
const (
	colGorc   = "#1f77b4"
	colPeer   = "#ff7f0e"
	colPeer2  = "#8c564b"
	colFloor  = "#9e9e9e"
	colWorse  = "#d62728"
	colBetter = "#2ca02c"
	colRef    = "#444444"
	colGrid   = "#e4e4e4"
)

type svg struct {
	b    strings.Builder
	w, h float64
}

func newSVG(w, h float64) *svg {
	s := &svg{w: w, h: h}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" %s font-size="12">`+"\n",
		n(w), n(h), n(w), n(h), font)
	s.rect(0, 0, w, h, "#ffffff", "")
	return s
}

// n formats a coordinate: at most one decimal, no trailing zeros.
func n(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func (s *svg) rect(x, y, w, h float64, fill, stroke string) {
	st := ""
	if stroke != "" {
		st = fmt.Sprintf(` stroke="%s"`, stroke)
	}
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>`+"\n", n(x), n(y), n(w), n(h), fill, st)
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string, width float64, dash string) {
	d := ""
	if dash != "" {
		d = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>`+"\n",
		n(x1), n(y1), n(x2), n(y2), stroke, n(width), d)
}

// text writes one line; anchor is start, middle or end; extra is added to
// the element (font-weight, fill, font-size, transform).
func (s *svg) text(x, y float64, anchor, str, extra string) {
	if extra != "" {
		extra = " " + extra
	}
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s"%s>%s</text>`+"\n", n(x), n(y), anchor, extra, esc(str))
}

func (s *svg) polyline(xs, ys []float64, stroke string, width float64, dash string) {
	var pts []string
	for i := range xs {
		pts = append(pts, n(xs[i])+","+n(ys[i]))
	}
	d := ""
	if dash != "" {
		d = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(&s.b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="%s"%s/>`+"\n",
		strings.Join(pts, " "), stroke, n(width), d)
}

func (s *svg) circle(x, y, r float64, fill string) {
	fmt.Fprintf(&s.b, `<circle cx="%s" cy="%s" r="%s" fill="%s"/>`+"\n", n(x), n(y), n(r), fill)
}

func (s *svg) String() string { return s.b.String() + "</svg>\n" }

// header writes the title, the subtitle lines and returns the y below them.
func (s *svg) header(title string, subtitle []string) float64 {
	s.text(16, 26, "start", title, `font-size="16" font-weight="bold"`)
	y := 26.0
	for _, l := range subtitle {
		y += 17
		s.text(16, y, "start", l, `fill="#333333"`)
	}
	return y + 10
}

// footer writes the provenance lines at the bottom left.
func (s *svg) footer(lines []string) {
	y := s.h - 8 - 14*float64(len(lines)-1)
	for _, l := range lines {
		s.text(16, y, "start", l, `font-size="10.5" fill="#666666"`)
		y += 14
	}
}

// scale maps data values to one pixel axis, linear or logarithmic.
type scale struct {
	lo, hi   float64 // data range
	p0, p1   float64 // pixel range
	log      bool
	logLo, d float64
}

func newScale(lo, hi, p0, p1 float64, log bool) scale {
	s := scale{lo: lo, hi: hi, p0: p0, p1: p1, log: log}
	if log {
		s.logLo, s.d = math.Log10(lo), math.Log10(hi)-math.Log10(lo)
	} else {
		s.d = hi - lo
	}
	return s
}

func (s scale) at(v float64) float64 {
	f := (v - s.lo) / s.d
	if s.log {
		f = (math.Log10(v) - s.logLo) / s.d
	}
	return s.p0 + f*(s.p1-s.p0)
}

// logTicks returns the 1-2-5 values of every decade within [lo, hi].
func logTicks(lo, hi float64) []float64 {
	var t []float64
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			v = clean(v)
			if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				t = append(t, v)
			}
		}
	}
	return t
}

// linTicks returns about five round values (1, 2 or 5 times a power of
// ten apart) from 0 to at least hi, and that upper end.
func linTicks(hi float64) ([]float64, float64) {
	raw := hi / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * p
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	var t []float64
	top := math.Ceil(hi/step) * step
	for v := 0.0; v <= top+step/2; v += step {
		t = append(t, clean(math.Round(v/step)*step))
	}
	return t, top
}

// clean rounds away binary noise (0.30000000000000004) so that tick
// labels and the bytes of the SVG are stable.
func clean(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return r
}

// num formats a value for a label: up to three significant digits, no
// exponent for the ranges the benchmarks produce.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// tickLabel formats an axis tick: as short as exact.
func tickLabel(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// legendItem is one entry of a legend: a swatch (bar) or a line.
type legendItem struct {
	label, color string
	line, dash   bool
}

// legend writes items left to right from (x, y).
func (s *svg) legend(x, y float64, items []legendItem) {
	for _, it := range items {
		switch {
		case it.line:
			d := ""
			if it.dash {
				d = "6,4"
			}
			s.line(x, y-4, x+22, y-4, it.color, 2.5, d)
			if !it.dash {
				s.circle(x+11, y-4, 3.5, it.color)
			}
			x += 28
		default:
			s.rect(x, y-11, 14, 11, it.color, "")
			x += 19
		}
		s.text(x, y, "start", it.label, "")
		x += 7*float64(len([]rune(it.label))) + 22
	}
}

// bar is one row of a horizontal bar chart. A NaN value draws no bar, only
// the note.
type bar struct {
	group string // rows of one group share a bold heading above them
	label string
	value float64
	note  string // right of the bar: the value, a ratio, "fails"
	color string
}

// hbarChart is a horizontal bar chart, linear or logarithmic; with ref > 0
// the bars start at the reference line (a ratio of 1.0) and go left or
// right of it.
type hbarChart struct {
	title    string
	subtitle []string
	xlabel   string
	footer   []string
	legend   []legendItem
	bars     []bar
	log      bool
	lo, hi   float64 // axis range (lo is 0 for a linear chart)
	ref      float64
	refLabel string
}

const (
	chartW   = 900.0
	labelW   = 330.0 // row labels, right-aligned at this x
	noteW    = 140.0 // right margin for the notes
	rowH     = 22.0
	groupH   = 24.0
	axisH    = 58.0 // tick labels and the axis label
	footH    = 50.0
	legendH  = 22.0
	barThick = 14.0
)

func (c hbarChart) render() string {
	h := 0.0
	groups := 0
	for i, b := range c.bars {
		if i == 0 || b.group != c.bars[i-1].group {
			groups++
		}
	}
	top := 26 + 17*float64(len(c.subtitle)) + 10
	if len(c.legend) > 0 {
		top += legendH
	}
	h = top + 8 + float64(groups)*groupH + float64(len(c.bars))*rowH + axisH + footH
	s := newSVG(chartW, h)
	y := s.header(c.title, c.subtitle)
	if len(c.legend) > 0 {
		s.legend(labelW+10, y+8, c.legend)
		y += legendH
	}
	y += 8
	x0, x1 := labelW+10, chartW-noteW
	sc := newScale(c.lo, c.hi, x0, x1, c.log)
	plotTop := y
	plotBottom := h - axisH - footH
	// Grid and ticks.
	var ticks []float64
	if c.log {
		ticks = logTicks(c.lo, c.hi)
	} else {
		ticks, _ = linTicks(c.hi)
	}
	for _, t := range ticks {
		x := sc.at(t)
		s.line(x, plotTop, x, plotBottom, colGrid, 1, "")
		s.line(x, plotBottom, x, plotBottom+5, colRef, 1, "")
		s.text(x, plotBottom+18, "middle", tickLabel(t), "")
	}
	s.line(x0, plotBottom, x1, plotBottom, colRef, 1, "")
	s.text((x0+x1)/2, plotBottom+40, "middle", c.xlabel, `font-weight="bold"`)
	// Rows.
	for i, b := range c.bars {
		if i == 0 || b.group != c.bars[i-1].group {
			s.text(16, y+17, "start", b.group, `font-weight="bold"`)
			y += groupH
		}
		mid := y + rowH/2
		s.text(labelW, mid+4, "end", b.label, "")
		end := x0
		if !math.IsNaN(b.value) {
			v := math.Min(math.Max(b.value, c.lo), c.hi)
			start := x0
			if c.ref > 0 {
				start = sc.at(c.ref)
			}
			end = sc.at(v)
			l, r := math.Min(start, end), math.Max(start, end)
			s.rect(l, mid-barThick/2, math.Max(r-l, 1), barThick, b.color, "")
		}
		if b.note != "" {
			nx := math.Max(end, x0) + 5
			if c.ref > 0 {
				nx = math.Max(nx, sc.at(c.ref)+5)
			}
			s.text(nx, mid+4, "start", b.note, `font-size="11.5"`)
		}
		y += rowH
	}
	if c.ref > 0 {
		x := sc.at(c.ref)
		s.line(x, plotTop-4, x, plotBottom, colRef, 1.5, "5,3")
		s.text(x, plotTop-7, "middle", c.refLabel, `font-size="11" fill="#444444"`)
	}
	s.footer(c.footer)
	return s.String()
}

// pt is one measured point of a series.
type pt struct{ x, y float64 }

// series is one line of a line chart.
type series struct {
	name  string
	color string
	dash  bool
	pts   []pt
}

// lineChart plots series against a numeric x axis; xticks are the x
// values to label (the measured sizes).
type lineChart struct {
	title    string
	subtitle []string
	xlabel   string
	ylabel   string
	footer   []string
	xticks   []float64
	xtickFmt func(float64) string
	logX     bool
	logY     bool
	series   []series
	labelPts bool // print each point's value beside it
	yfmt     func(float64) string
}

func (c lineChart) render() string {
	h := 500.0 + 18*float64(len(c.series))
	s := newSVG(chartW, h)
	y := s.header(c.title, c.subtitle)
	legendY := y + 10
	plotTop := legendY + 18*float64(len(c.series)) + 4
	plotBottom := h - 62 - footH
	x0, x1 := 90.0, chartW-40
	// Ranges.
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, se := range c.series {
		for _, p := range se.pts {
			xlo, xhi = math.Min(xlo, p.x), math.Max(xhi, p.x)
			ylo, yhi = math.Min(ylo, p.y), math.Max(yhi, p.y)
		}
	}
	var xs, ys scale
	if c.logX {
		xs = newScale(xlo/1.25, xhi*1.25, x0, x1, true)
	} else {
		pad := (xhi - xlo) * 0.06
		xs = newScale(xlo-pad, xhi+pad, x0, x1, false)
	}
	var yticks []float64
	if c.logY {
		lo := math.Pow(10, math.Floor(math.Log10(ylo/1.2)))
		hi := math.Pow(10, math.Ceil(math.Log10(yhi)))
		ys = newScale(lo, hi, plotBottom, plotTop, true)
		yticks = logTicks(lo, hi)
	} else {
		var top float64
		yticks, top = linTicks(yhi * 1.05)
		ys = newScale(0, top, plotBottom, plotTop, false)
	}
	for _, t := range yticks {
		py := ys.at(t)
		s.line(x0, py, x1, py, colGrid, 1, "")
		s.text(x0-6, py+4, "end", tickLabel(t), "")
	}
	for _, t := range c.xticks {
		px := xs.at(t)
		s.line(px, plotTop, px, plotBottom, colGrid, 1, "")
		s.line(px, plotBottom, px, plotBottom+5, colRef, 1, "")
		lbl := tickLabel(t)
		if c.xtickFmt != nil {
			lbl = c.xtickFmt(t)
		}
		s.text(px, plotBottom+18, "middle", lbl, "")
	}
	s.line(x0, plotBottom, x1, plotBottom, colRef, 1, "")
	s.line(x0, plotTop, x0, plotBottom, colRef, 1, "")
	s.text((x0+x1)/2, plotBottom+42, "middle", c.xlabel, `font-weight="bold"`)
	cy := (plotTop + plotBottom) / 2
	s.text(24, cy, "middle", c.ylabel, fmt.Sprintf(`font-weight="bold" transform="rotate(-90 24 %s)"`, n(cy)))
	var items []legendItem
	for _, se := range c.series {
		var px, py []float64
		for _, p := range se.pts {
			px = append(px, xs.at(p.x))
			py = append(py, ys.at(p.y))
		}
		d := ""
		if se.dash {
			d = "6,4"
		}
		s.polyline(px, py, se.color, 2.5, d)
		if !se.dash {
			for i := range px {
				s.circle(px[i], py[i], 4, se.color)
				if c.labelPts {
					lbl := num(se.pts[i].y)
					if c.yfmt != nil {
						lbl = c.yfmt(se.pts[i].y)
					}
					s.text(px[i]+7, py[i]-7, "start", lbl, fmt.Sprintf(`font-size="11" fill="%s"`, se.color))
				}
			}
		}
		items = append(items, legendItem{label: se.name, color: se.color, line: true, dash: se.dash})
	}
	for i, it := range items {
		s.legend(x0, legendY+18*float64(i), []legendItem{it})
	}
	s.footer(c.footer)
	return s.String()
}
