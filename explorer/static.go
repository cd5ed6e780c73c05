package explorer

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteHTML writes one self-contained page of q's path: Figure 5, the
// state, the properties and the sequence chart at every step, with Back,
// Forward and the step list working without a server. It shows the
// position q.At first.
func (x *Explorer) WriteHTML(out io.Writer, q Query) error {
	if len(q.Path) > x.limits.MaxStaticSteps {
		return &limitError{fmt.Sprintf("path: %d steps is over the static page's limit of %d", len(q.Path), x.limits.MaxStaticSteps)}
	}
	w, err := x.walk(q)
	if err != nil {
		return err
	}
	fig, err := x.figureSVG(w)
	if err != nil {
		return err
	}
	data := struct {
		Static  bool     `json:"static"`
		At      int      `json:"at"`
		Figure5 string   `json:"figure5"`
		Views   []*View  `json:"views"`
		Charts  []string `json:"charts"`
	}{Static: true, At: q.At, Figure5: string(fig)}
	for at := 0; at <= len(q.Path); at++ {
		step := *w
		step.q.At = at
		v, err := x.view(&step)
		if err != nil {
			return err
		}
		chart, err := x.chartSVG(&step)
		if err != nil {
			return err
		}
		data.Views = append(data.Views, v)
		data.Charts = append(data.Charts, string(chart))
	}
	// json.Marshal escapes <, > and &, so nothing in the data can close
	// the script element it sits in.
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = out.Write(page(b))
	return err
}
