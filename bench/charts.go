package main

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/steadydb/steady/internal/backfills"
)

// Charts are drawn from the measurements of this run, never by hand.
const (
	tradeoffChart           = "bench-yield-tradeoff.svg"
	timelineChart           = "bench-timeline.svg" // open loop
	timelineSaturationChart = "bench-timeline-saturation.svg"
)

var (
	blue   = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	red    = color.NRGBA{R: 214, G: 39, B: 40, A: 255}
	grey   = color.NRGBA{R: 120, G: 120, B: 120, A: 255}
	orange = color.NRGBA{R: 255, G: 127, B: 14, A: 255}
	shadeB = color.NRGBA{R: 31, G: 119, B: 180, A: 45}
	shadeI = [2]color.NRGBA{{R: 255, G: 127, B: 14, A: 70}, {R: 255, G: 187, B: 120, A: 70}}
)

// drawTradeoff plots the sweep: backfill throughput against pgbench's p99, one point per
// yield, a curve per load (open loop solid, saturation dashed), the default ringed, the
// targets dashed in grey.
func drawTradeoff(path string, pts []sweepPoint) error {
	p := plot.New()
	p.Title.Text = "Backfill during pgbench: throughput against the application's p99, by STEADY_BACKFILL_YIELD"
	p.X.Label.Text = "pgbench p99 during the backfill ÷ pgbench alone (same load)"
	p.Y.Label.Text = "backfill rows/s ÷ single UPDATE on an idle database"
	p.Add(plotter.NewGrid())
	minX, maxX, maxY := 1.0, 1.6, 0.6
	var def plotter.XYs
	var loadsSeen []string
	for _, pt := range pts {
		if !slices.Contains(loadsSeen, pt.load) {
			loadsSeen = append(loadsSeen, pt.load)
		}
	}
	for _, load := range loadsSeen {
		var xys plotter.XYs
		var labels []string
		var open bool
		for _, pt := range pts {
			if pt.load != load {
				continue
			}
			open = pt.open
			xy := plotter.XY{X: pt.p99Ratio, Y: pt.tputRatio}
			xys = append(xys, xy)
			label := fmt.Sprintf(" %g", pt.yield)
			if pt.yield == backfills.DefaultYield {
				label += " (default)"
				if pt.open {
					def = append(def, xy)
				}
			}
			labels = append(labels, label)
			minX, maxX, maxY = math.Min(minX, pt.p99Ratio), math.Max(maxX, pt.p99Ratio), math.Max(maxY, pt.tputRatio)
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		c := blue
		if !open {
			c = orange
			line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		line.Color, points.Color, points.Shape = c, c, draw.CircleGlyph{}
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return err
		}
		p.Add(line, points, lbl)
		p.Legend.Add(fmt.Sprintf("%s (a point per yield)", load), line, points)
	}
	if len(def) > 0 {
		d, err := plotter.NewScatter(def)
		if err != nil {
			return err
		}
		d.GlyphStyle = draw.GlyphStyle{Color: red, Radius: vg.Points(6), Shape: draw.RingGlyph{}}
		p.Add(d)
		p.Legend.Add("the default, open loop", d)
	}
	for _, ref := range []struct {
		xys  plotter.XYs
		name string
	}{
		{plotter.XYs{{X: backfillP99Target, Y: 0}, {X: backfillP99Target, Y: maxY * 1.1}}, fmt.Sprintf("target (open loop): p99 ≤ %g×", backfillP99Target)},
		{plotter.XYs{{X: minX, Y: backfillTputTarget}, {X: maxX * 1.1, Y: backfillTputTarget}}, fmt.Sprintf("target (open loop): throughput ≥ %g×", backfillTputTarget)},
	} {
		l, err := plotter.NewLine(ref.xys)
		if err != nil {
			return err
		}
		l.Color, l.Dashes = grey, []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(ref.name, l)
	}
	// Noise can put a point below 1× (pgbench faster with the backfill than without): it is
	// drawn, not cut off.
	p.X.Min, p.Y.Min = minX-0.05, 0
	p.X.Max, p.Y.Max = maxX*1.15, maxY*1.15
	p.Legend.Top = false // bottom right: the points run from bottom left to top right
	return p.Save(9*vg.Inch, 5.5*vg.Inch, path)
}

// drawTimeline plots pgbench's per-second p50 and p99 over the run, with the backfill's and
// each index build's spans shaded.
func drawTimeline(path string, tl *timeline) error {
	p := plot.New()
	p.Title.Text = "pgbench (" + tl.load.short + ") while steady works at its defaults: the backfill, then the index catalog built one index at a time"
	p.X.Label.Text = "seconds"
	p.Y.Label.Text = "pgbench transaction latency per second (ms)"
	p.Add(plotter.NewGrid())

	type second struct{ lat []time.Duration }
	var secs []second
	for _, t := range tl.txs {
		if t.failed {
			continue
		}
		i := int(t.end.Sub(tl.start) / time.Second)
		if i < 0 {
			continue
		}
		for len(secs) <= i {
			secs = append(secs, second{})
		}
		secs[i].lat = append(secs[i].lat, t.lat)
	}
	var p50, p99 plotter.XYs
	var all []float64
	for i, s := range secs {
		if len(s.lat) < 10 {
			continue
		}
		x := float64(i) + 0.5
		p50 = append(p50, plotter.XY{X: x, Y: ms64(percentile(s.lat, 0.5))})
		y := ms64(percentile(s.lat, 0.99))
		p99 = append(p99, plotter.XY{X: x, Y: y})
		all = append(all, y)
	}
	if len(p99) == 0 {
		return fmt.Errorf("timeline: no pgbench transactions")
	}
	// A few seconds far above the rest would flatten everything else: the axis stops at the
	// 99th percentile of the per-second p99s, and what is above is drawn at the top.
	slices.Sort(all)
	top := all[int(float64(len(all)-1)*0.99)] * 1.6 // room above the lines for the legend
	for i := range p99 {
		p99[i].Y = math.Min(p99[i].Y, top)
	}
	shade := func(from, to time.Time, c color.Color) error {
		x0, x1 := from.Sub(tl.start).Seconds(), to.Sub(tl.start).Seconds()
		poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: top}, {X: x0, Y: top}})
		if err != nil {
			return err
		}
		poly.Color, poly.LineStyle.Width, poly.LineStyle.Color = c, 0, color.Transparent
		p.Add(poly)
		return nil
	}
	if err := shade(tl.backfill[0], tl.backfill[1], shadeB); err != nil {
		return err
	}
	var names plotter.XYs
	var nameLabels []string
	for i, b := range tl.builds {
		if err := shade(b.start, b.end, shadeI[i%2]); err != nil {
			return err
		}
		if b.end.Sub(b.start) >= 2*time.Second {
			names = append(names, plotter.XY{X: b.start.Sub(tl.start).Seconds(), Y: top * (0.72 - 0.04*float64(len(names)%4))})
			nameLabels = append(nameLabels, " "+b.index)
		}
	}
	l50, err := plotter.NewLine(p50)
	if err != nil {
		return err
	}
	l99, err := plotter.NewLine(p99)
	if err != nil {
		return err
	}
	l50.Color, l99.Color = grey, red
	p.Add(l50, l99)
	if len(names) > 0 {
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: names, Labels: nameLabels})
		if err != nil {
			return err
		}
		for i := range lbl.TextStyle {
			lbl.TextStyle[i].Font.Size = vg.Points(7)
		}
		p.Add(lbl)
	}
	p.Legend.Add("p99", l99)
	p.Legend.Add("p50", l50)
	bfKey, _ := plotter.NewPolygon(plotter.XYs{{X: 0, Y: 0}})
	bfKey.Color, bfKey.LineStyle.Width, bfKey.LineStyle.Color = shadeB, 0, color.Transparent
	ixKey, _ := plotter.NewPolygon(plotter.XYs{{X: 0, Y: 0}})
	ixKey.Color, ixKey.LineStyle.Width, ixKey.LineStyle.Color = shadeI[0], 0, color.Transparent
	p.Legend.Add("backfill running", bfKey)
	p.Legend.Add("an index build running", ixKey)
	p.Legend.Top, p.Legend.Left = true, true
	p.X.Min, p.Y.Min, p.Y.Max = 0, 0, top
	return p.Save(11*vg.Inch, 5*vg.Inch, path)
}

func ms64(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
