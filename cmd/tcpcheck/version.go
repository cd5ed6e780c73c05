package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

var versionCommand = &command{
	Name:      "version",
	UsageLine: "version",
	Short:     "print tcpcheck's module version and VCS revision",
	Long: `Version prints the version of the tcpcheck module the binary was built
from — a tag such as v1.2.0 when installed with 'go install
github.com/tcpcheck/tcpcheck/cmd/tcpcheck@latest', a pseudo-version made
from the commit when built in a git clone, "(devel)" when Go recorded no
VCS information — the VCS revision and time it was built at, when Go
recorded them (go build records them in a git clone unless
-buildvcs=false), and the Go version. 'tcpcheck --version' prints the
same.`,
	ExitCodes: `Exit codes:
  0  the version was printed
  2  bad usage
`,
	Flags: func(fs *flag.FlagSet) func(*env, []string) int {
		return func(e *env, args []string) int {
			if len(args) > 0 {
				return fail(e, "version", usagef("unexpected argument %q", args[0]))
			}
			info, _ := debug.ReadBuildInfo()
			writeVersion(e.stdout, info)
			return exitOK
		}
	},
}

// writeVersion prints the module version and VCS revision of info, the
// running binary's build information (nil when it has none).
func writeVersion(w io.Writer, info *debug.BuildInfo) {
	if info == nil {
		fmt.Fprintln(w, "tcpcheck: no build information in this binary")
		return
	}
	version := info.Main.Version
	if version == "" {
		version = "(unknown)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	revision := "unknown (built without VCS information)"
	if r := settings["vcs.revision"]; r != "" {
		revision = r
		if t := settings["vcs.time"]; t != "" {
			revision += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			revision += ", with uncommitted changes"
		}
	}
	fmt.Fprintf(w, "tcpcheck %s\nmodule: %s\nrevision: %s\ngo: %s\n", version, info.Main.Path, revision, info.GoVersion)
}
