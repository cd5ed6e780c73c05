// Command tcpcheck model-checks the TCP connection lifecycle of RFC 9293.
//
// Run `tcpcheck help` for the subcommands and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// SIGINT (Ctrl-C) and SIGTERM (what timeout(1), CI systems and
	// container runtimes send) both cancel the context: a long command
	// stops within a second, prints what it has and exits 3. A second
	// signal kills the process as usual, since stop restores the default
	// handling once the first has come.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
