// Command tcpcheck model-checks the TCP connection lifecycle of RFC 9293.
//
// Run `tcpcheck help` for the subcommands and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
