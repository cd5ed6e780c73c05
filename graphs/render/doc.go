// Package render turns the DOT that package graphs writes into pictures:
// SVG in-process, in pure Go (Graphviz compiled to WebAssembly, run by
// wazero: no cgo, no dot binary, the same bytes on every machine), and
// PNG with Graphviz's dot program when it is installed.
//
// It is a package of its own because the in-process Graphviz is most of
// what tcpcheck takes to compile: a program that only checks, or only
// writes DOT, does not import it.
//
//	svg, err := render.SVG(chart.DOT())
package render
