package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteVersion(t *testing.T) {
	var b strings.Builder
	writeVersion(&b, &debug.BuildInfo{
		GoVersion: "go1.24.0",
		Main:      debug.Module{Path: "github.com/tcpcheck/tcpcheck", Version: "v1.2.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "7e317f5a"}, {Key: "vcs.time", Value: "2026-11-29T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		},
	})
	require.Equal(t, "tcpcheck v1.2.0\nmodule: github.com/tcpcheck/tcpcheck\nrevision: 7e317f5a (2026-11-29T10:00:00Z), with uncommitted changes\ngo: go1.24.0\n", b.String())

	b.Reset()
	writeVersion(&b, &debug.BuildInfo{GoVersion: "go1.24.0", Main: debug.Module{Path: "github.com/tcpcheck/tcpcheck", Version: "(devel)"}})
	require.Contains(t, b.String(), "tcpcheck (devel)\n")
	require.Contains(t, b.String(), "revision: unknown (built without VCS information)\n")
}

func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, errOut, code := tcpcheck(t, args...)
		require.Equal(t, exitOK, code, errOut)
		require.True(t, strings.HasPrefix(out, "tcpcheck "), out)
		// A test binary has build information: its Go version at least.
		require.Contains(t, out, "go: "+runtime.Version())
	}
	_, errOut, code := tcpcheck(t, "--version", "x")
	require.Equal(t, exitUsage, code)
	require.Equal(t, "tcpcheck --version: unexpected argument \"x\"\n", errOut)
	_, errOut, code = tcpcheck(t, "version", "x")
	require.Equal(t, exitUsage, code)
	require.Equal(t, "tcpcheck version: unexpected argument \"x\"\n", errOut)
}
