package graphs

import (
	"encoding/xml"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/graphs/render"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties/fuzz"
)

// box is a rectangle of the SVG's coordinates.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) overlaps(c box) bool {
	return b.x0 < c.x1 && c.x0 < b.x1 && b.y0 < c.y1 && c.y0 < b.y1
}

// distance from point (x, y) to b: 0 inside.
func (b box) distance(x, y float64) float64 {
	dx := math.Max(0, math.Max(b.x0-x, x-b.x1))
	dy := math.Max(0, math.Max(b.y0-y, y-b.y1))
	return math.Hypot(dx, dy)
}

func (b *box) add(c box) {
	if *b == (box{}) {
		*b = c
		return
	}
	*b = box{math.Min(b.x0, c.x0), math.Min(b.y0, c.y0), math.Max(b.x1, c.x1), math.Max(b.y1, c.y1)}
}

// svgGroup is a node or an edge of Graphviz's SVG.
type svgGroup struct {
	Class    string `xml:"class,attr"`
	Title    string `xml:"title"`
	Polygons []struct {
		Points string `xml:"points,attr"`
	} `xml:"polygon"`
	Paths []struct {
		D string `xml:"d,attr"`
	} `xml:"path"`
	Texts []struct {
		X        float64 `xml:"x,attr"`
		Y        float64 `xml:"y,attr"`
		Anchor   string  `xml:"text-anchor,attr"`
		FontSize float64 `xml:"font-size,attr"`
		Text     string  `xml:",chardata"`
	} `xml:"text"`
}

var number = regexp.MustCompile(`-?[0-9.]+`)

// points reads the coordinates of a polygon's points or a path's data.
func points(s string) [][2]float64 {
	var out [][2]float64
	nums := number.FindAllString(s, -1)
	for i := 0; i+1 < len(nums); i += 2 {
		x, _ := strconv.ParseFloat(nums[i], 64)
		y, _ := strconv.ParseFloat(nums[i+1], 64)
		out = append(out, [2]float64{x, y})
	}
	return out
}

// labelBox is the box of a node's label: the node's own shape when it
// has one (a filled label, a lifeline's box), else its text as Helvetica
// sets it (about 0.6 em per character, generous).
func labelBox(g svgGroup) box {
	var b box
	for _, p := range g.Polygons {
		for _, pt := range points(p.Points) {
			b.add(box{pt[0], pt[1], pt[0], pt[1]})
		}
	}
	for _, p := range g.Paths {
		for _, pt := range points(p.D) {
			b.add(box{pt[0], pt[1], pt[0], pt[1]})
		}
	}
	if b != (box{}) {
		return b
	}
	for _, t := range g.Texts {
		w := 0.6 * t.FontSize * float64(utf8.RuneCountInString(t.Text))
		x0 := t.X - w/2
		if t.Anchor == "start" {
			x0 = t.X
		}
		b.add(box{x0, t.Y - t.FontSize, x0 + w, t.Y + 0.3*t.FontSize})
	}
	return b
}

// longWalk is a random behaviour of the stress preset of at least steps
// transitions.
func longWalk(t *testing.T, steps int) *Chart {
	t.Helper()
	m := mustModel(t, "stress", func(c *model.Config) { c.Data = [2]int{4, 4}; c.MaxLosses, c.MaxDups = 3, 1 })
	for seed := uint64(1); seed < 100; seed++ {
		trace := fuzz.RandomWalkTrace(fuzz.Target[model.State, model.Action]{System: m}, steps, seed)
		if len(trace) <= steps {
			continue
		}
		c, err := TraceChart(m, trace, NoLoop)
		require.NoError(t, err)
		return c
	}
	t.Fatalf("no walk of %d steps", steps)
	return nil
}

// A chart of a long trace has no two labels overlapping, and each
// segment's label on its arrow: the arrow from the sender ends at the
// label's box, and the arrow to the receiver starts there.
func TestChartLabelsDoNotOverlap(t *testing.T) {
	for _, steps := range []int{16, 45} {
		t.Run(fmt.Sprint(steps), func(t *testing.T) {
			c := longWalk(t, steps)
			svg, err := render.SVG(c.DOT())
			require.NoError(t, err)
			var doc struct {
				Groups []svgGroup `xml:"g>g"`
			}
			require.NoError(t, xml.Unmarshal(svg, &doc))
			labels, texts := map[string]box{}, map[string]string{}
			var names []string
			var edges []svgGroup
			for _, g := range doc.Groups {
				switch {
				case g.Class == "edge":
					edges = append(edges, g)
					if len(g.Texts) > 0 { // an edge's own label: a box like any other
						t := g
						t.Polygons, t.Paths = nil, nil
						name := fmt.Sprintf("%s label", g.Title)
						labels[name], texts[name] = labelBox(t), g.Texts[0].Text
						names = append(names, name)
					}
				case g.Class == "node" && len(g.Texts) > 0 && strings.TrimSpace(g.Texts[0].Text) != "":
					labels[g.Title], texts[g.Title] = labelBox(g), g.Texts[0].Text
					names = append(names, g.Title)
				}
			}
			// Graphviz names the nodes n1, n2, …: a segment's label is the
			// node whose text starts with its number and shows the segment.
			segLabels := 0
			for i, a := range names {
				for _, b := range names[i+1:] {
					require.False(t, labels[a].overlaps(labels[b]), "%s %v overlaps %s %v", texts[a], labels[a], texts[b], labels[b])
				}
				if !strings.HasPrefix(texts[a], "#") || !strings.Contains(texts[a], "<SEQ=") {
					continue
				}
				segLabels++
				// Its arrows touch its box: the one from the sender ends
				// there, the one to the receiver (if any) starts there.
				near := 0
				for _, e := range edges {
					for _, p := range e.Paths {
						pts := points(p.D)
						for _, end := range [][2]float64{pts[0], pts[len(pts)-1]} {
							if labels[a].distance(end[0], end[1]) < 4 {
								near++
							}
						}
					}
				}
				require.Positive(t, near, "no arrow near the label %q", texts[a])
			}
			require.Equal(t, len(c.segs), segLabels, "one label per segment")
		})
	}
}
