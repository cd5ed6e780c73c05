package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
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
		return nil, fmt.Errorf("render: starting Graphviz: %w", err)
	}
	defer gv.Close()
	g, err := graphviz.ParseBytes(dotSource)
	if err != nil {
		return nil, fmt.Errorf("render: parsing DOT: %w", err)
	}
	defer g.Close()
	var out bytes.Buffer
	if err := gv.Render(ctx, g, graphviz.SVG, &out); err != nil {
		return nil, fmt.Errorf("render: rendering SVG: %w", err)
	}
	return out.Bytes(), nil
}

// PNG lays out dotSource and renders it as PNG with Graphviz's own dot
// program, which must be on PATH: the in-process Graphviz has no
// rasterizer worth the name (its PNG draws the labels but not the shapes).
// Unlike SVG, the bytes depend on the Graphviz installed and its fonts.
func PNG(dotSource []byte) ([]byte, error) {
	path, err := exec.LookPath("dot")
	if err != nil {
		return nil, errors.New("PNG needs Graphviz's dot program on PATH (apt-get install graphviz); SVG needs nothing")
	}
	cmd := exec.Command(path, "-Tpng")
	cmd.Stdin = bytes.NewReader(dotSource)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("render: dot -Tpng: %s", strings.ReplaceAll(msg, "\n", "; "))
	}
	return out.Bytes(), nil
}
