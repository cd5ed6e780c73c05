package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/graphs"
	"github.com/tcpcheck/tcpcheck/graphs/render"
	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

var explainCommand = &command{
	Name:      "explain",
	UsageLine: "explain [--markdown] [--write-docs DIR] [CLAIM]",
	Short:     "run the seed document's claims as experiments",
	Long: `Explain answers the claims of the document tcpcheck grew from (a Chinese
explainer of TCP's handshake and teardown) by model checking. For each
claim it prints the claim, the seed's own sentence, and its experiments:
TCP, where the property holds, and a variant without the mechanism the
claim explains, where it fails — with the shortest counterexample drawn as
a message sequence chart. A witness, where a claim has one, is the
shortest behaviour that shows what the claim describes.

With a CLAIM number, only that claim. Exit code 1 if an experiment's
verdict disagrees with the claim.

--markdown prints the same as Markdown (docs/seed-claims.md);
--write-docs DIR writes DIR/seed-claims.md and the charts as SVG under
DIR/claims/.`,
	ExitCodes: `Exit codes:
  0  every experiment gave the verdict its claim predicts
  1  some experiment disagrees with its claim
  2  bad usage or bad input
  3  interrupted (Ctrl-C, SIGTERM) or --timeout reached: the claims
     answered so far are printed
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		var markdown bool
		var docs string
		var timeout time.Duration
		fs.BoolVar(&markdown, "markdown", false, "print Markdown instead of text")
		fs.StringVar(&docs, "write-docs", "", "write seed-claims.md and its diagrams into this docs folder")
		registerTimeout(fs, &timeout)
		return func(e *env, args []string) int {
			bounded, cancel, err := e.withTimeout(timeout)
			if err != nil {
				return fail(e, "explain", err)
			}
			defer cancel()
			e = bounded
			claims := properties.Claims()
			switch {
			case len(args) > 1:
				return fail(e, "explain", usagef("unexpected argument %q", args[1]))
			case len(args) == 1 && docs != "":
				return fail(e, "explain", usagef("--write-docs writes the page of every claim: give no CLAIM"))
			case len(args) == 1:
				c, err := properties.LookupClaim(args[0])
				if err != nil {
					return fail(e, "explain", usagef("%v", err))
				}
				claims = []properties.Claim{c}
			}
			results, err := runClaims(e.ctx, claims)
			if err != nil {
				fmt.Fprintf(e.stderr, "tcpcheck explain: %v\n", err)
				return exitUsage
			}
			if e.ctx.Err() != nil {
				// Stopped: the claims answered in full, and no docs.
				writeClaimsText(e.stdout, results)
				fmt.Fprintf(e.stdout, "%s after %d of %d claims\n\nresult: incomplete\n", stoppedBy(e.ctx), len(results), len(claims))
				return exitIncomplete
			}
			switch {
			case docs != "":
				if err := writeClaimDocs(docs, results); err != nil {
					return fail(e, "explain", usagef("--write-docs: %v", err))
				}
			case markdown:
				md, _ := claimsMarkdown(results)
				e.stdout.Write(md)
			default:
				writeClaimsText(e.stdout, results)
			}
			for _, r := range results {
				if !r.confirmed() {
					return exitViolation
				}
			}
			return exitOK
		}
	},
}

// claimResult is a claim with what its experiments and witness gave.
type claimResult struct {
	claim       properties.Claim
	experiments []experimentResult
	witness     *experimentResult
}

type experimentResult struct {
	x       properties.Experiment
	out     properties.Outcome
	chart   *graphs.Chart
	name    string // "TCP", or the variant's name
	diagram string // file name of its chart under docs/claims
}

func (r claimResult) confirmed() bool {
	for _, x := range r.experiments {
		if x.out.Verdict != x.x.Expect {
			return false
		}
	}
	return r.witness == nil || r.witness.out.Trace != nil
}

func runClaims(ctx context.Context, claims []properties.Claim) ([]claimResult, error) {
	var out []claimResult
	for _, c := range claims {
		r := claimResult{claim: c}
		for i, x := range c.Experiments {
			o, err := properties.RunExperiment(ctx, x)
			if err != nil {
				return nil, fmt.Errorf("claim %s: %v", c.ID, err)
			}
			if ctx.Err() != nil {
				return out, nil // the experiment was cut short: the claims before it
			}
			er := experimentResult{x: x, out: o, name: variantName(x.Config)}
			if err := er.draw(x.Config, fmt.Sprintf("claim-%s-%d", c.ID, i+1), o.Property+": "+o.Why); err != nil {
				return nil, fmt.Errorf("claim %s: %v", c.ID, err)
			}
			r.experiments = append(r.experiments, er)
		}
		if w := c.Witness; w != nil {
			o, err := properties.RunWitness(ctx, *w)
			if err != nil {
				return nil, fmt.Errorf("claim %s: %v", c.ID, err)
			}
			if ctx.Err() != nil {
				return out, nil
			}
			er := experimentResult{out: o, name: "witness"}
			if err := er.draw(w.Config, "claim-"+c.ID+"-witness", w.Description); err != nil {
				return nil, fmt.Errorf("claim %s: %v", c.ID, err)
			}
			if er.chart != nil {
				er.chart.End = "✓ reached"
			}
			r.witness = &er
		}
		out = append(out, r)
	}
	return out, nil
}

// draw makes the chart of the outcome's trace, if it has one.
func (er *experimentResult) draw(cfg model.Config, name, title string) error {
	if er.out.Trace == nil {
		return nil
	}
	m, err := model.New(cfg)
	if err != nil {
		return err
	}
	chart, err := graphs.TraceChart(m, er.out.Trace, er.out.LoopStart)
	if err != nil {
		return err
	}
	chart.Title = title
	er.chart, er.diagram = chart, name+".svg"
	return nil
}

func variantName(cfg model.Config) string {
	if cfg.Variant == model.TCP {
		name := "TCP"
		if cfg.RFC1337 {
			name += " with RFC 1337"
		}
		return name
	}
	return cfg.Variant.String()
}

func verdictText(v checker.Verdict) string {
	if v == checker.Violated {
		return "violated"
	}
	return v.String()
}

func writeClaimsText(w io.Writer, results []claimResult) {
	for _, r := range results {
		c := r.claim
		fmt.Fprintf(w, "Claim %s: %s\n", c.ID, c.Title)
		fmt.Fprintf(w, "  seed: 「%s」\n", c.Quote)
		fmt.Fprintf(w, "  %s\n\n", c.Gloss)
		for _, x := range r.experiments {
			mark := "as the claim says"
			if x.out.Verdict != x.x.Expect {
				mark = "DISAGREES: the claim says " + verdictText(x.x.Expect)
			}
			fmt.Fprintf(w, "  %-22s %-42s %-9s (%s; %d states)\n", x.name, strings.Join(x.x.Properties, ", "), verdictText(x.out.Verdict), mark, x.out.Stats.Distinct)
			fmt.Fprintf(w, "    config: %s\n", x.x.Config.String())
			if x.chart != nil {
				fmt.Fprintf(w, "    %s\n\n%s\n", x.out.Why, indent(untitledText(x.chart), "    "))
			}
		}
		if x := r.witness; x != nil {
			fmt.Fprintf(w, "  witness: %s\n", c.Witness.Description)
			fmt.Fprintf(w, "    config: %s\n", c.Witness.Config.String())
			if x.chart != nil {
				fmt.Fprintf(w, "\n%s\n", indent(untitledText(x.chart), "    "))
			} else {
				fmt.Fprintf(w, "    NOT FOUND in this configuration\n")
			}
		}
		fmt.Fprintln(w)
	}
}

// untitledText is the chart as text without its title: the report prints
// the sentence the title repeats just above it.
func untitledText(c *graphs.Chart) string {
	u := *c
	u.Title = ""
	return u.Text()
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// claimsMarkdown renders docs/seed-claims.md and the DOT of its charts,
// by file name.
func claimsMarkdown(results []claimResult) ([]byte, map[string][]byte) {
	var b strings.Builder
	charts := map[string][]byte{}
	b.WriteString(`# The seed's claims, checked

<!-- Generated by 'go run ./cmd/tcpcheck explain --write-docs docs'; do not edit. -->

tcpcheck grew from a Chinese explainer of TCP's three-way handshake and
four-way close. Each of its claims is answered here by model checking:
TCP (RFC 9293, as modelled in ` + "`model/`" + `) satisfies a property, and a
variant without the mechanism the claim explains violates it, with the
shortest counterexample as proof. Every verdict below comes from a run of
` + "`tcpcheck explain`" + `, and a test fails when this page disagrees
with a fresh run. Run one claim with ` + "`go run ./cmd/tcpcheck explain 3`" + `.

`)
	for _, r := range results {
		c := r.claim
		fmt.Fprintf(&b, "## %s. %s\n\n", c.ID, c.Title)
		fmt.Fprintf(&b, "> %s\n\n%s\n\n", c.Quote, c.Gloss)
		b.WriteString("| protocol | properties | verdict | the claim says | states |\n| --- | --- | --- | --- | --- |\n")
		for _, x := range r.experiments {
			fmt.Fprintf(&b, "| %s | %s | **%s** | %s | %d |\n", x.name, strings.Join(x.x.Properties, ", "), verdictText(x.out.Verdict), verdictText(x.x.Expect), x.out.Stats.Distinct)
		}
		b.WriteString("\n")
		for i, x := range r.experiments {
			fmt.Fprintf(&b, "Experiment %d (%s): `tcpcheck check %s`\n\n", i+1, x.name, checkArgs(x.x))
			if x.chart != nil {
				fmt.Fprintf(&b, "%s\n\n![counterexample](claims/%s)\n\n```\n%s```\n\n", x.out.Why, x.diagram, untitledText(x.chart))
				charts[x.diagram] = x.chart.DOT()
			}
		}
		if x := r.witness; x != nil && x.chart != nil {
			fmt.Fprintf(&b, "Witness: %s, in the configuration `%s`.\n\n![witness](claims/%s)\n\n```\n%s```\n\n",
				c.Witness.Description, checkArgs(properties.Experiment{Config: c.Witness.Config}), x.diagram, untitledText(x.chart))
			charts[x.diagram] = x.chart.DOT()
		}
	}
	return []byte(b.String()), charts
}

// checkArgs is the command line that reproduces an experiment.
func checkArgs(x properties.Experiment) string {
	c := x.Config
	base, _ := model.LookupPreset("lifecycle")
	args := []string{
		"--a", c.Roles[model.A].String(), "--b", c.Roles[model.B].String(),
		"--start", c.Start.String(),
		fmt.Sprintf("--data-a %d --data-b %d", c.Data[model.A], c.Data[model.B]),
		fmt.Sprintf("--close=%t --early-close=%t --abort=%t", c.Close, c.EarlyClose, c.Abort),
		fmt.Sprintf("--capacity %d --max-losses %d --max-dups %d --reorder=%t --max-retries %d", c.Capacity, c.MaxLosses, c.MaxDups, c.Reorder, c.MaxRetries),
		"--isn-a " + joinISNs(c.ISNs[model.A]), "--isn-b " + joinISNs(c.ISNs[model.B]),
		fmt.Sprintf("--incarnations %d", c.Incarnations),
	}
	if c.ISNStep != base.ISNStep {
		args = append(args, fmt.Sprintf("--isn-step %d", c.ISNStep))
	}
	if c.SynBacklog > 0 {
		args = append(args, fmt.Sprintf("--syn-backlog %d --attacker %d", c.SynBacklog, c.Attacker))
	}
	if c.AcceptBacklog > 0 {
		args = append(args, fmt.Sprintf("--accept-backlog %d --clients %d", c.AcceptBacklog, c.Clients))
	}
	if c.RFC1337 {
		args = append(args, "--rfc1337")
	}
	if c.Variant != model.TCP {
		args = append(args, "--variant "+c.Variant.String())
	}
	for _, p := range x.Properties {
		args = append(args, "--property "+p)
	}
	return strings.Join(args, " ")
}

func joinISNs(isns []uint32) string {
	var parts []string
	for _, v := range isns {
		parts = append(parts, fmt.Sprint(v))
	}
	return strings.Join(parts, ",")
}

// writeClaimDocs writes dir/seed-claims.md and dir/claims/*.svg.
func writeClaimDocs(dir string, results []claimResult) error {
	md, charts := claimsMarkdown(results)
	if err := os.WriteFile(filepath.Join(dir, "seed-claims.md"), md, 0o644); err != nil {
		return err
	}
	chartDir := filepath.Join(dir, "claims")
	if err := os.MkdirAll(chartDir, 0o755); err != nil {
		return err
	}
	for name, dot := range charts {
		svg, err := render.SVG(dot)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(chartDir, name), svg, 0o644); err != nil {
			return err
		}
	}
	return nil
}
