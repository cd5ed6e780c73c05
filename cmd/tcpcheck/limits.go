package main

import (
	"context"
	"errors"
	"flag"
	"time"
)

// Every long-running command takes --timeout, and stops on SIGINT and
// SIGTERM (main.go) the same way: within a second, printing what it has,
// with exit code 3.

// registerTimeout adds --timeout to a command's flags.
func registerTimeout(fs *flag.FlagSet, d *time.Duration) {
	fs.DurationVar(d, "timeout", 0, "stop after this long, e.g. 30s or 5m, print what was done and exit 3 (0: no limit)")
}

// withTimeout checks d and returns e with its context bounded by d (0:
// not bounded) and the function that releases it.
func (e *env) withTimeout(d time.Duration) (*env, context.CancelFunc, error) {
	if d < 0 {
		return nil, nil, usagef("--timeout: must not be negative, not %s", d)
	}
	if d == 0 {
		return e, func() {}, nil
	}
	bounded := *e
	ctx, cancel := context.WithTimeout(e.ctx, d)
	bounded.ctx = ctx
	return &bounded, cancel, nil
}

// stoppedBy says what stopped a command whose context is done: the
// timeout, or a signal.
func stoppedBy(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "--timeout reached"
	}
	return "interrupted"
}
