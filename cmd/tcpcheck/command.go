package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
)

// Exit codes, stable and documented in `tcpcheck help` and the README.
const (
	exitOK         = 0 // every checked property holds on a complete search
	exitViolation  = 1 // a violation was found
	exitUsage      = 2 // bad usage or bad input
	exitIncomplete = 3 // a limit stopped the search before any violation
)

const exitCodesHelp = `Exit codes:
  0  every checked property holds on a complete search
  1  a violation was found
  2  bad usage or bad input (unknown flag, preset or property, invalid value)
  3  the search stopped at a limit (states, depth, time, memory) or on
     Ctrl-C or SIGTERM, without finding a violation
`

// env is what a command runs with: its streams and context.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand: its usage, help, flags and body, in the
// manner of cmd/go's base.Command.
type command struct {
	Name      string
	UsageLine string
	Short     string
	Long      string
	// ExitCodes documents the command's exit codes when they differ from
	// check's (exitCodesHelp).
	ExitCodes string
	// Flags registers the command's flags and returns the function that
	// runs it once they are parsed.
	Flags func(fs *flag.FlagSet) func(e *env, args []string) int
}

var commands []*command

func init() {
	commands = []*command{checkCommand, listCommand, graphCommand, explainCommand, conformCommand, simulateCommand, exploreCommand, versionCommand}
}

// usageError is bad input: printed as one line, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		mainUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-version", "--version":
		if len(args) > 1 {
			fmt.Fprintf(stderr, "tcpcheck %s: unexpected argument %q\n", name, args[1])
			return exitUsage
		}
		name, args = "version", []string{"version"}
	case "help", "-h", "-help", "--help":
		if len(args) > 2 {
			fmt.Fprintf(stderr, "tcpcheck help: unexpected argument %q\n", args[2])
			return exitUsage
		}
		if len(args) > 1 && args[1] != "help" {
			for _, c := range commands {
				if c.Name == args[1] {
					commandHelp(stdout, c)
					return exitOK
				}
			}
			fmt.Fprintf(stderr, "tcpcheck help: unknown command %q\n", args[1])
			return exitUsage
		}
		mainUsage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.Name != name {
			continue
		}
		fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		body := c.Flags(fs)
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				commandHelp(stdout, c)
				return exitOK
			}
			fmt.Fprintf(stderr, "tcpcheck %s: %s (see 'tcpcheck help %s')\n", c.Name, oneLine(err), c.Name)
			return exitUsage
		}
		return body(e, fs.Args())
	}
	fmt.Fprintf(stderr, "tcpcheck: unknown command %q (see 'tcpcheck help')\n", name)
	return exitUsage
}

// fail prints err for command name and returns its exit code: 2 for bad
// input, which is every error a command reports before its search runs.
func fail(e *env, name string, err error) int {
	fmt.Fprintf(e.stderr, "tcpcheck %s: %s\n", name, oneLine(err))
	return exitUsage
}

func mainUsage(w io.Writer) {
	fmt.Fprintf(w, `tcpcheck is a model checker for the TCP connection lifecycle of RFC 9293:
both endpoints and a lossy channel, explored state by state.

Usage:
  tcpcheck <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.Short)
	}
	fmt.Fprintf(w, "\nRun 'tcpcheck help <command>' for a command's flags.\n\n%s", exitCodesHelp)
}

func commandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: tcpcheck %s\n\n%s\n", c.UsageLine, strings.TrimSpace(c.Long))
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	c.Flags(fs)
	fmt.Fprintf(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	codes := exitCodesHelp
	if c.ExitCodes != "" {
		codes = c.ExitCodes
	}
	fmt.Fprintf(w, "\n%s", codes)
}

// checkWritable reports, before any work is done, whether a file can be
// written at path: its folder exists and path is not a folder.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder", path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return fmt.Errorf("no folder %s to write %s in", filepath.Dir(path), filepath.Base(path))
	}
	return nil
}

// startCPUProfile starts writing a CPU profile to path, and returns
// what stops it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		out.Close()
	}, nil
}

// oneLine keeps an error's text on one line.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
