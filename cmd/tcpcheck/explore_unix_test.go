//go:build unix

package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// SIGTERM stops the server as Ctrl-C does: exit 0. The handler is
// registered before the URL is printed, so the signal is sent after it.
func TestExploreStopsOnSIGTERM(t *testing.T) {
	r, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"explore", "--addr", "127.0.0.1:0"}, strings.NewReader(""), w, io.Discard)
		w.Close()
	}()
	lines := bufio.NewScanner(r)
	require.True(t, lines.Scan())
	require.True(t, strings.HasPrefix(lines.Text(), "tcpcheck explore: serving http://127.0.0.1:"), lines.Text())
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	require.True(t, lines.Scan())
	require.Equal(t, "tcpcheck explore: stopped", lines.Text())
	require.Equal(t, exitOK, <-done)
}
