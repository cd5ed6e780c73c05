package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/verify"
)

var listCommand = &command{
	Name:      "list",
	UsageLine: "list [--json]",
	Short:     "list the models, presets and properties",
	Long: `List prints the models, each model's presets and its properties, each with a one-line description.

With --json, one JSON document is written instead (its schema is in
docs/json.md).`,
	ExitCodes: `Exit codes:
  0  the list was printed
  2  bad usage
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		asJSON := fs.Bool("json", false, "write one JSON document to stdout instead of the text")
		return func(e *env, args []string) int {
			if len(args) > 0 {
				return fail(e, "list", usagef("unexpected argument %q", args[0]))
			}
			if *asJSON {
				return writeListJSON(e)
			}
			writeList(e)
			return exitOK
		}
	},
}

// The models' one-line descriptions.
const (
	segmentDescription = "two RFC 9293 endpoints (§3.10) with sequence numbers and a lossy channel each way"
	diagramDescription = "Figure 5's message-level abstraction, ported from the TLA+ example (tlaplus/Examples specifications/tcp)"
)

func writeList(e *env) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "MODELS\n")
	fmt.Fprintf(tw, "  %s\t%s\n", segmentModel, segmentDescription+" (the default)")
	fmt.Fprintf(tw, "  %s\t%s\n", diagramModel, diagramDescription)
	fmt.Fprintf(tw, "\nPRESETS (--model segment)\n")
	for _, p := range model.Presets() {
		name := p.Name
		if name == model.DefaultPreset {
			name += " (default)"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, p.Description)
	}
	fmt.Fprintf(tw, "\nPRESETS (--model diagram)\n")
	for _, p := range verify.DiagramPresets() {
		fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.Description)
	}
	fmt.Fprintf(tw, "\nVARIANTS (--model segment --variant NAME)\n")
	for _, v := range model.Variants() {
		fmt.Fprintf(tw, "  %s\t%s\n", v, v.Description())
	}
	fmt.Fprintf(tw, "\nPROPERTIES (--model segment)\n")
	for _, p := range properties.Segment() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.ID, p.Kind, p.Description)
	}
	fmt.Fprintf(tw, "\nPROPERTIES (--model diagram)\n")
	for _, p := range properties.Diagram() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.ID, p.Kind, p.Description)
	}
	tw.Flush()
}

// listEntry is a named thing of 'tcpcheck list --json'.
type listEntry struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     bool   `json:"default,omitempty"`
	Kind        string `json:"kind,omitempty"`
	Source      string `json:"source,omitempty"`
}

// listModel is a model with its presets, variants and properties.
type listModel struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Default     bool        `json:"default,omitempty"`
	Presets     []listEntry `json:"presets"`
	Variants    []listEntry `json:"variants,omitempty"`
	Properties  []listEntry `json:"properties"`
}

func writeListJSON(e *env) int {
	seg := listModel{Name: segmentModel, Description: segmentDescription, Default: true}
	for _, p := range model.Presets() {
		seg.Presets = append(seg.Presets, listEntry{Name: p.Name, Description: p.Description, Default: p.Name == model.DefaultPreset})
	}
	for _, v := range model.Variants() {
		seg.Variants = append(seg.Variants, listEntry{Name: fmt.Sprint(v), Description: v.Description()})
	}
	for _, p := range properties.Segment() {
		seg.Properties = append(seg.Properties, listEntry{Name: p.ID, Description: p.Description, Kind: p.Kind.String(), Source: p.Source})
	}
	dia := listModel{Name: diagramModel, Description: diagramDescription}
	for i, p := range verify.DiagramPresets() {
		dia.Presets = append(dia.Presets, listEntry{Name: p.Name, Description: p.Description, Default: i == 0})
	}
	for _, p := range properties.Diagram() {
		dia.Properties = append(dia.Properties, listEntry{Name: p.ID, Description: p.Description, Kind: p.Kind.String(), Source: p.Source})
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Models []listModel `json:"models"`
	}{[]listModel{seg, dia}}); err != nil {
		fmt.Fprintf(e.stderr, "tcpcheck list: %v\n", err)
		return exitUsage
	}
	return exitOK
}
