// Package capture reads pcap and pcapng captures (as tcpdump -w writes
// them, optionally gzipped) one packet at a time, and checks every TCP
// connection in them with package model/conform.
//
//	sum, err := capture.Check(ctx, file, capture.Options{})
//	if err != nil { // an unreadable or invalid capture: one line
//		return err
//	}
//	for _, c := range sum.Connections {
//		fmt.Println(c.A, c.B, c.Result.Verdict)
//	}
//
// It holds one packet at a time and, per connection, what
// model/conform.Checker keeps: memory grows with the connections and
// their flights, not with the file. Packets without a TCP segment are
// counted by reason (Summary.Skipped), never fatal; only a capture that
// cannot be read at all is an error.
package capture
