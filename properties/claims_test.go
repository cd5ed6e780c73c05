package properties

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model"
)

// Every claim's experiments give the verdict the seed predicts, and every
// violation's trace replays on the model and is shortest (BFS).
func TestClaimsGiveExpectedVerdicts(t *testing.T) {
	ctx := context.Background()
	for _, c := range Claims() {
		t.Run(c.ID, func(t *testing.T) {
			require.NotEmpty(t, c.Experiments)
			for _, x := range c.Experiments {
				out, err := RunExperiment(ctx, x)
				require.NoError(t, err)
				require.Equal(t, x.Expect, out.Verdict, "claim %s, variant %s, properties %v: %s", c.ID, x.Config.Variant, x.Properties, out.Why)
				if out.Trace != nil {
					m, err := model.New(x.Config)
					require.NoError(t, err)
					require.NoError(t, checker.Replay(m, out.Trace))
					require.NotEmpty(t, out.Why)
				}
			}
			if c.Witness != nil {
				out, err := RunWitness(ctx, *c.Witness)
				require.NoError(t, err)
				require.Equal(t, checker.Violated, out.Verdict, "claim %s: witness %q not reachable", c.ID, c.Witness.Description)
			}
		})
	}
}
