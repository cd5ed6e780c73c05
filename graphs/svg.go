package graphs

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"
)

// SVG is rendered by Graphviz itself (12.1.2), compiled to WebAssembly
// and run by wazero inside the process, through github.com/goccy/go-graphviz:
// no cgo and no dot binary, so it works wherever Go builds. Text is
// measured with Graphviz's built-in font metrics, not the machine's fonts,
// so the same DOT gives the same bytes on every machine.
//
// The WebAssembly module is one instance per process, shared by every
// Graphviz context, so renders are serialized.
var svgMu sync.Mutex

// SVG lays out dotSource with Graphviz's dot layout and renders it as SVG.
// The output is deterministic: the same source gives the same bytes.
func SVG(dotSource []byte) ([]byte, error) {
	svgMu.Lock()
	defer svgMu.Unlock()
	ctx := context.Background()
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphs: starting Graphviz: %w", err)
	}
	defer gv.Close()
	g, err := graphviz.ParseBytes(dotSource)
	if err != nil {
		return nil, fmt.Errorf("graphs: parsing DOT: %w", err)
	}
	defer g.Close()
	var out bytes.Buffer
	if err := gv.Render(ctx, g, graphviz.SVG, &out); err != nil {
		return nil, fmt.Errorf("graphs: rendering SVG: %w", err)
	}
	return out.Bytes(), nil
}
