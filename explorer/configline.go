package explorer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpcheck/tcpcheck/model"
)

// parseConfigLine rebuilds the configuration a report names: the preset
// it started from with every field of its one-line summary (model.Config's
// String, the "config" of check --json) applied. The summary leaves out
// the ISN step, the receive window and the timing, which come from the
// preset; a trace that needed other values fails to replay, and says so.
func parseConfigLine(preset, line string) (model.Config, error) {
	cfg, err := model.LookupPreset(preset)
	if err != nil {
		return cfg, err
	}
	cfg.SynBacklog, cfg.Attacker, cfg.AcceptBacklog, cfg.Clients, cfg.RFC1337 = 0, 0, 0, 0, false
	cfg.Variant = model.TCP
	for _, field := range strings.Fields(line) {
		key, val, ok := strings.Cut(field, "=")
		if !ok {
			return cfg, fmt.Errorf("config: %q is not key=value", field)
		}
		if err := setConfigField(&cfg, key, val); err != nil {
			return cfg, fmt.Errorf("config: %s: %v", key, err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	if got := cfg.String(); got != line {
		return cfg, fmt.Errorf("config: %q does not read back as itself (read %q)", line, got)
	}
	return cfg, nil
}

func setConfigField(cfg *model.Config, key, val string) error {
	atoi := func(dst *int) error {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 || n > 255 {
			return fmt.Errorf("%q is not a small count", val)
		}
		*dst = n
		return nil
	}
	boolean := func(dst *bool) error {
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("%q is not true or false", val)
		}
		*dst = b
		return nil
	}
	isns := func(dst *[]uint32) error {
		*dst = nil
		for _, f := range strings.Split(val, ",") {
			n, err := strconv.ParseUint(f, 10, 32)
			if err != nil {
				return fmt.Errorf("%q is not a sequence number", f)
			}
			*dst = append(*dst, uint32(n))
		}
		return nil
	}
	switch key {
	case "A", "B":
		r, ok := model.ParseRole(val)
		if !ok {
			return fmt.Errorf("unknown role %q", val)
		}
		cfg.Roles[map[string]model.Side{"A": model.A, "B": model.B}[key]] = r
	case "start":
		switch val {
		case model.StartClosed.String():
			cfg.Start = model.StartClosed
		case model.StartEstablished.String():
			cfg.Start = model.StartEstablished
		default:
			return fmt.Errorf("unknown start %q", val)
		}
	case "data":
		a, b, ok := strings.Cut(val, "/")
		if !ok {
			return fmt.Errorf("%q is not A's/B's", val)
		}
		val = a
		if err := atoi(&cfg.Data[model.A]); err != nil {
			return err
		}
		val = b
		return atoi(&cfg.Data[model.B])
	case "close":
		return boolean(&cfg.Close)
	case "early-close":
		return boolean(&cfg.EarlyClose)
	case "abort":
		return boolean(&cfg.Abort)
	case "reorder":
		return boolean(&cfg.Reorder)
	case "rfc1337":
		return boolean(&cfg.RFC1337)
	case "capacity":
		return atoi(&cfg.Capacity)
	case "max-losses":
		return atoi(&cfg.MaxLosses)
	case "max-dups":
		return atoi(&cfg.MaxDups)
	case "max-retries":
		return atoi(&cfg.MaxRetries)
	case "incarnations":
		return atoi(&cfg.Incarnations)
	case "syn-backlog":
		return atoi(&cfg.SynBacklog)
	case "attacker":
		return atoi(&cfg.Attacker)
	case "accept-backlog":
		return atoi(&cfg.AcceptBacklog)
	case "clients":
		return atoi(&cfg.Clients)
	case "isn-a":
		return isns(&cfg.ISNs[model.A])
	case "isn-b":
		return isns(&cfg.ISNs[model.B])
	case "variant":
		v, err := model.ParseVariant(val)
		if err != nil {
			return err
		}
		cfg.Variant = v
	default:
		return fmt.Errorf("unknown field")
	}
	return nil
}
