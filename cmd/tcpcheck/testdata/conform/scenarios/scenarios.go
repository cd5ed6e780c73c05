//go:build ignore

// Command scenarios plays the client/server scenarios that
// make-captures.sh records for `tcpcheck conform`. It is run as root
// inside network namespaces that the script makes, never on the host's
// own network: the loopback scenarios use 127.0.0.1 or ::1 inside one
// namespace, the simultaneous ones two namespaces joined by a wire.
//
//	scenarios lo NAME                    play a loopback scenario (see loScenarios)
//	scenarios wire NSA TUNA NSB TUNB D   relay packets between two TUN devices, D late
//	scenarios peer FLAGS                 one side of a simultaneous open or close
//
// Segments are dropped with nft rules in the namespace's table inet tcpc,
// chain input: a dropped segment was sent (tcpdump on lo sees it leave)
// and never arrives. The wire exists because nothing else here can delay a
// segment (no netem, no nfqueue): on loopback a segment arrives the moment
// it is sent, so two SYNs or two FINs never cross.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("scenarios: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: scenarios lo NAME | wire NSA TUNA NSB TUNB DELAY | peer FLAGS")
	}
	var err error
	switch os.Args[1] {
	case "lo":
		if len(os.Args) != 3 {
			log.Fatal("usage: scenarios lo NAME")
		}
		s, ok := loScenarios[os.Args[2]]
		if !ok {
			log.Fatalf("unknown scenario %q", os.Args[2])
		}
		err = s()
	case "wire":
		err = wire(os.Args[2:])
	case "peer":
		err = peer(os.Args[2:])
	default:
		log.Fatalf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

const server = "127.0.0.1:8080"

// loScenarios are played on loopback inside one namespace. Each runs a
// server on 127.0.0.1:8080 (or [::1]:8080) and one or more clients.
var loScenarios = map[string]func() error{
	// Handshake, a request and a reply, and a four-segment close: the
	// server ACKs the client's FIN (delayed ACK) and closes later.
	"normal": func() error { return exchange(server, closeLater) },
	"normal-ipv6": func() error {
		return exchange("[::1]:8080", closeLater)
	},
	// The server closes as soon as it reads EOF: its ACK of the FIN rides
	// on its own FIN (FIN, FIN+ACK, ACK).
	"three-segment-close": func() error { return exchange(server, closeAtOnce) },
	// The client closes with data it never read: Linux sends RST, not FIN.
	"rst-unread":  rstUnread,
	"linger-zero": lingerZero,
	// A SYN to a port nobody listens on: RST,ACK.
	"closed-port": func() error {
		_, err := net.DialTimeout("tcp", "127.0.0.1:8081", time.Second)
		if err == nil {
			return errors.New("closed-port: connected")
		}
		return nil
	},
	// The first SYN is lost: the client retransmits it after 1s.
	"lost-syn": func() error {
		if err := nft("add rule inet tcpc input tcp dport 8080 tcp flags & (fin|syn|rst|ack) == syn quota until 100 bytes drop"); err != nil {
			return err
		}
		return exchange(server, closeAtOnce)
	},
	// The third segment of the handshake and every pure ACK after it are
	// lost for 3.5s: the server retransmits its SYN,ACK, the client
	// answers each copy with a duplicate ACK, and the client's first data
	// segment completes the handshake.
	"lost-third-ack": lostThirdACK,
	// The client's last ACK is lost: the server retransmits its FIN from
	// LAST-ACK and the client ACKs it again from TIME-WAIT.
	"fin-retransmit": finRetransmit,
	// The client half-closes; the server sends its reply from CLOSE-WAIT.
	"half-close": halfClose,
	// 16 KiB to a server with a small receive buffer that reads slowly:
	// delayed ACKs, window updates, PSH.
	"bulk": bulk,
	// Several connections at once in one capture.
	"several": several,
	// TCP Fast Open: the second connection carries data on its SYN.
	"fast-open": fastOpen,
}

func nft(rule string) error {
	out, err := exec.Command("nft", strings.Fields(rule)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("nft %s: %v: %s", rule, err, out)
	}
	return nil
}

// dropPureACKsToServer matches pure ACKs (no SYN, FIN, RST; no payload: an
// IPv4 packet of 52 bytes with the timestamp option) sent to the server.
const dropPureACKsToServer = "add rule inet tcpc input tcp dport 8080 tcp flags & (fin|syn|rst|ack) == ack ip length < 53"

type closeMode int

const (
	closeAtOnce closeMode = iota
	closeLater
)

// listen starts a server on addr that runs serve on each connection.
func listen(addr string, serve func(net.Conn) error) (wait func() error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := serve(c); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
		}
	}()
	return func() error {
		wg.Wait()
		ln.Close()
		<-done
		return errors.Join(errs...)
	}, nil
}

// echoServe reads "hello", answers "world", reads to EOF and closes.
func echoServe(mode closeMode) func(net.Conn) error {
	return func(c net.Conn) error {
		defer c.Close()
		buf := make([]byte, 5)
		if _, err := io.ReadFull(c, buf); err != nil {
			return fmt.Errorf("server read: %w", err)
		}
		if _, err := c.Write([]byte("world")); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, c); err != nil {
			return fmt.Errorf("server read to EOF: %w", err)
		}
		if mode == closeLater {
			time.Sleep(200 * time.Millisecond)
		}
		return nil
	}
}

// hello is the client side of an exchange: "hello", "world", close.
func hello(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	return helloOn(c)
}

func helloOn(c net.Conn) error {
	defer c.Close()
	if _, err := c.Write([]byte("hello")); err != nil {
		return err
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil {
		return fmt.Errorf("client read: %w", err)
	}
	time.Sleep(100 * time.Millisecond) // let the ACK of "world" go first
	return nil
}

// dialAndSend connects to addr and sends data.
func dialAndSend(addr string, data []byte) (*net.TCPConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if _, err := c.Write(data); err != nil {
		c.Close()
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

func exchange(addr string, mode closeMode) error {
	wait, err := listen(addr, echoServe(mode))
	if err != nil {
		return err
	}
	if err := hello(addr); err != nil {
		return err
	}
	return wait()
}

// resetByClient plays a connection that the client ends with a RST: the
// server writes greeting (if any) and expects the reset; the client, once
// connected, does end.
func resetByClient(name, greeting string, end func(*net.TCPConn) error) error {
	wait, err := listen(server, func(c net.Conn) error {
		defer c.Close()
		if _, err := c.Write([]byte(greeting)); err != nil {
			return err
		}
		_, err := io.Copy(io.Discard, c)
		if err == nil || !errors.Is(err, syscall.ECONNRESET) {
			return fmt.Errorf("%s: server wanted a reset, got %v", name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c, err := net.Dial("tcp", server)
	if err != nil {
		return err
	}
	if err := end(c.(*net.TCPConn)); err != nil {
		return err
	}
	return wait()
}

func rstUnread() error {
	return resetByClient("rst-unread", "unread data", func(c *net.TCPConn) error {
		time.Sleep(100 * time.Millisecond) // the data arrives and is ACKed, unread
		return c.Close()
	})
}

func lingerZero() error {
	return resetByClient("linger-zero", "", func(c *net.TCPConn) error {
		if _, err := c.Write([]byte("hello")); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
		c.SetLinger(0)
		return c.Close()
	})
}

func lostThirdACK() error {
	if err := nft(dropPureACKsToServer + " drop"); err != nil {
		return err
	}
	wait, err := listen(server, echoServe(closeAtOnce))
	if err != nil {
		return err
	}
	c, err := net.Dial("tcp", server)
	if err != nil {
		return err
	}
	time.Sleep(3500 * time.Millisecond) // SYN,ACK retransmitted at about 1s and 3s
	if _, err := c.Write([]byte("hello")); err != nil {
		return err
	}
	time.Sleep(50 * time.Millisecond)
	if err := nft("flush chain inet tcpc input"); err != nil {
		return err
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	time.Sleep(100 * time.Millisecond)
	c.Close()
	return wait()
}

func finRetransmit() error {
	wait, err := listen(server, echoServe(closeAtOnce))
	if err != nil {
		return err
	}
	c, err := dialAndSend(server, []byte("hello"))
	if err != nil {
		return err
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	time.Sleep(100 * time.Millisecond) // the ACK of "world" has gone
	if err := nft(dropPureACKsToServer + " quota until 60 bytes drop"); err != nil {
		return err
	}
	c.Close()
	time.Sleep(1500 * time.Millisecond) // the server's RTO is at least 200ms
	return wait()
}

func halfClose() error {
	wait, err := listen(server, func(c net.Conn) error {
		defer c.Close()
		b, err := io.ReadAll(c)
		if err != nil || string(b) != "hello" {
			return fmt.Errorf("half-close: server read %q, %v", b, err)
		}
		time.Sleep(100 * time.Millisecond)
		_, err = c.Write([]byte("world"))
		return err
	})
	if err != nil {
		return err
	}
	c, err := dialAndSend(server, []byte("hello"))
	if err != nil {
		return err
	}
	c.CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "world" {
		return fmt.Errorf("half-close: client read %q, %v", b, err)
	}
	c.Close()
	return wait()
}

func bulk() error {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
		})
		return serr
	}}
	ln, err := lc.Listen(nil, "tcp", server)
	if err != nil {
		return err
	}
	defer ln.Close()
	errc := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			errc <- err
			return
		}
		defer c.Close()
		buf := make([]byte, 1000)
		total := 0
		for {
			n, err := c.Read(buf)
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				errc <- err
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		if total != 16384 {
			errc <- fmt.Errorf("bulk: server read %d bytes", total)
			return
		}
		errc <- nil
	}()
	c, err := dialAndSend(server, make([]byte, 16384))
	if err != nil {
		return err
	}
	c.Close()
	return <-errc
}

func several() error {
	wait, err := listen(server, echoServe(closeAtOnce))
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = hello(server)
		}()
	}
	wg.Wait()
	if _, err := net.DialTimeout("tcp", "127.0.0.1:8081", time.Second); err == nil {
		return errors.New("several: connected to a closed port")
	}
	return errors.Join(append(errs, wait())...)
}

// fastOpen makes two connections with TCP Fast Open: the first obtains a
// cookie, the second sends its request on the SYN.
func fastOpen() error {
	const tcpFastopen, tcpFastopenConnect = 23, 30
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpFastopen, 5)
		})
		return serr
	}}
	ln, err := lc.Listen(nil, "tcp", server)
	if err != nil {
		return err
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go echoServe(closeAtOnce)(c)
		}
	}()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpFastopenConnect, 1)
		})
		return serr
	}}
	for range 2 {
		c, err := d.Dial("tcp", server)
		if err != nil {
			return err
		}
		if err := helloOn(c); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// wire relays IP packets between two TUN devices, each in its own
// namespace, holding every packet for a fixed delay and keeping each
// direction in order, so that segments sent at about the same time from
// both sides cross on the wire.
func wire(args []string) error {
	if len(args) != 5 {
		return errors.New("usage: scenarios wire NSA TUNA NSB TUNB DELAY")
	}
	delay, err := time.ParseDuration(args[4])
	if err != nil {
		return err
	}
	a, err := openTUN(args[0], args[1])
	if err != nil {
		return err
	}
	b, err := openTUN(args[2], args[3])
	if err != nil {
		return err
	}
	go relay(a, b, delay)
	relay(b, a, delay)
	return nil
}

func relay(from, to *os.File, delay time.Duration) {
	type held struct {
		due time.Time
		pkt []byte
	}
	q := make(chan held, 1024)
	go func() {
		for h := range q {
			time.Sleep(time.Until(h.due))
			to.Write(h.pkt)
		}
	}()
	for {
		buf := make([]byte, 65536)
		n, err := from.Read(buf)
		if err != nil {
			log.Fatalf("wire: %v", err)
		}
		q <- held{time.Now().Add(delay), buf[:n]}
	}
}

// openTUN attaches to the persistent TUN device name in namespace ns.
func openTUN(ns, name string) (*os.File, error) {
	runtime.LockOSThread() // setns changes only this thread; it is not unlocked, so it dies with the goroutine's work
	nsf, err := os.Open("/var/run/netns/" + ns)
	if err != nil {
		return nil, err
	}
	defer nsf.Close()
	const clonNewnet, sysSetns = 0x40000000, 308 // linux/amd64
	if _, _, e := syscall.Syscall(sysSetns, nsf.Fd(), clonNewnet, 0); e != 0 {
		return nil, fmt.Errorf("setns %s: %v", ns, e)
	}
	fd, err := syscall.Open("/dev/net/tun", syscall.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	var ifr [40]byte
	copy(ifr[:16], name)
	const iffTun, iffNoPI, tunSetIff = 0x0001, 0x1000, 0x400454ca
	*(*uint16)(unsafe.Pointer(&ifr[16])) = iffTun | iffNoPI
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tunSetIff, uintptr(unsafe.Pointer(&ifr[0]))); e != 0 {
		return nil, fmt.Errorf("TUNSETIFF %s: %v", name, e)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// peer is one endpoint of the simultaneous scenarios. With -connect both
// peers connect to each other from fixed ports at -start (a simultaneous
// open); otherwise the one with -listen accepts. At -close both shut
// down their sending side at once (a simultaneous close).
func peer(args []string) error {
	fs := flag.NewFlagSet("peer", flag.ExitOnError)
	local := fs.String("local", "", "local address")
	remote := fs.String("remote", "", "remote address")
	listen := fs.Bool("listen", false, "accept instead of connecting")
	start := fs.Int64("start", 0, "connect at this time (Unix nanoseconds)")
	closeAt := fs.Int64("close", 0, "shut down at this time (Unix nanoseconds; 0: when the peer has)")
	fs.Parse(args)
	var c net.Conn
	if *listen {
		ln, err := net.Listen("tcp", *local)
		if err != nil {
			return err
		}
		c, err = ln.Accept()
		ln.Close()
		if err != nil {
			return err
		}
	} else {
		la, err := net.ResolveTCPAddr("tcp", *local)
		if err != nil {
			return err
		}
		time.Sleep(time.Until(time.Unix(0, *start)))
		d := net.Dialer{LocalAddr: la, Timeout: 10 * time.Second}
		c, err = d.Dial("tcp", *remote)
		if err != nil {
			return err
		}
	}
	defer c.Close()
	if _, err := c.Write([]byte("hello")); err != nil {
		return err
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if *closeAt != 0 {
		time.Sleep(time.Until(time.Unix(0, *closeAt)))
		c.(*net.TCPConn).CloseWrite()
	}
	if _, err := io.Copy(io.Discard, c); err != nil {
		return err
	}
	if *closeAt == 0 {
		c.(*net.TCPConn).CloseWrite()
	}
	time.Sleep(500 * time.Millisecond)
	return nil
}
