package main

import (
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
	"github.com/tcpcheck/tcpcheck/verify"
)

var listCommand = &command{
	Name:      "list",
	UsageLine: "list",
	Short:     "list the models, presets and properties",
	Long:      `List prints the models, each model's presets and its properties, each with a one-line description.`,
	ExitCodes: `Exit codes:
  0  the list was printed
  2  bad usage
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		return func(e *env, args []string) int {
			if len(args) > 0 {
				return fail(e, "list", usagef("unexpected argument %q", args[0]))
			}
			writeList(e)
			return exitOK
		}
	},
}

func writeList(e *env) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "MODELS\n")
	fmt.Fprintf(tw, "  %s\t%s\n", segmentModel, "two RFC 9293 endpoints (§3.10) with sequence numbers and a lossy channel each way (the default)")
	fmt.Fprintf(tw, "  %s\t%s\n", diagramModel, "Figure 5's message-level abstraction, ported from the TLA+ example (tlaplus/Examples specifications/tcp)")
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
