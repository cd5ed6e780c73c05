// Docgen writes the diagrams of docs/diagrams, and the parts of
// docs/diagrams.md that show generated output, from the models. It runs
// from the graphs package directory:
//
//	go generate ./graphs/...
//
// which runs "go run ./internal/docgen -out ../docs/diagrams -md
// ../docs/diagrams.md". Its test fails when the committed files differ
// from what it would write.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "../docs/diagrams", "the directory the diagrams are written to")
	md := flag.String("md", "../docs/diagrams.md", "the document whose generated sections are rewritten")
	flag.Parse()
	if err := run(*out, *md); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func run(out, md string) error {
	files, err := generate(context.Background())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(out, f.name), f.data, 0o644); err != nil {
			return err
		}
	}
	doc, err := os.ReadFile(md)
	if err != nil {
		return err
	}
	doc, err = splice(doc, files)
	if err != nil {
		return fmt.Errorf("%s: %w", md, err)
	}
	return os.WriteFile(md, doc, 0o644)
}
