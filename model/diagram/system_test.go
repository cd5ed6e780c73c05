package diagram_test

import (
	"github.com/tcpcheck/tcpcheck/checker"
	"github.com/tcpcheck/tcpcheck/model/diagram"
)

// Model satisfies the checker's interface without importing it.
var _ checker.System[diagram.State, diagram.Action] = (*diagram.Model)(nil)
