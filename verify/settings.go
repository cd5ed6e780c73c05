package verify

import (
	"fmt"
	"strings"

	"github.com/tcpcheck/tcpcheck/model"
	"github.com/tcpcheck/tcpcheck/properties"
)

// segmentSettings is the segment model's configuration as a report's JSON
// "config" object: one member per knob, named as its command-line flag
// (with underscores), so that a run can be given again from it.
type segmentConfig struct {
	A                  string   `json:"a"`
	B                  string   `json:"b"`
	Start              string   `json:"start"`
	DataA              int      `json:"data_a"`
	DataB              int      `json:"data_b"`
	Close              bool     `json:"close"`
	EarlyClose         bool     `json:"early_close"`
	Abort              bool     `json:"abort"`
	Capacity           int      `json:"capacity"`
	MaxLosses          int      `json:"max_losses"`
	MaxDups            int      `json:"max_dups"`
	Reorder            bool     `json:"reorder"`
	MaxRetries         int      `json:"max_retries"`
	SpuriousRetransmit bool     `json:"spurious_retransmit"`
	ISNA               []uint32 `json:"isn_a"`
	ISNB               []uint32 `json:"isn_b"`
	ISNStep            uint32   `json:"isn_step"`
	Incarnations       int      `json:"incarnations"`
	RcvWnd             uint32   `json:"rcv_wnd"`
	// Variant is the variant's name, whatever type the model gives it.
	Variant       string `json:"variant"`
	SynBacklog    int    `json:"syn_backlog"`
	Attacker      int    `json:"attacker"`
	AcceptBacklog int    `json:"accept_backlog"`
	Clients       int    `json:"clients"`
	RFC1337       bool   `json:"rfc1337"`
}

func segmentSettings(c model.Config) segmentConfig {
	isns := func(v []uint32) []uint32 {
		if v == nil {
			return []uint32{}
		}
		return v
	}
	return segmentConfig{
		A: c.Roles[model.A].String(), B: c.Roles[model.B].String(), Start: c.Start.String(),
		DataA: c.Data[model.A], DataB: c.Data[model.B],
		Close: c.Close, EarlyClose: c.EarlyClose, Abort: c.Abort,
		Capacity: c.Capacity, MaxLosses: c.MaxLosses, MaxDups: c.MaxDups, Reorder: c.Reorder,
		MaxRetries: c.MaxRetries, SpuriousRetransmit: c.SpuriousRetransmit,
		ISNA: isns(c.ISNs[model.A]), ISNB: isns(c.ISNs[model.B]), ISNStep: c.ISNStep,
		Incarnations: c.Incarnations, RcvWnd: c.RcvWnd, Variant: fmt.Sprint(c.Variant),
		SynBacklog: c.SynBacklog, Attacker: c.Attacker, AcceptBacklog: c.AcceptBacklog, Clients: c.Clients,
		RFC1337: c.RFC1337,
	}
}

// diagramSettings is the diagram model's configuration as a JSON object.
type diagramConfig struct {
	SingleActiveOpen bool `json:"single_active_open"`
	NoRetransmission bool `json:"no_retransmission"`
}

// propertyIDs lists the IDs of props, comma-separated.
func propertyIDs[S comparable, A any](props []properties.Property[S, A]) string {
	var ids []string
	for _, p := range props {
		ids = append(ids, p.ID)
	}
	return strings.Join(ids, ", ")
}
