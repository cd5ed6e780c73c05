//go:build linux

// Command netlab makes the traffic that bench/conform/make-captures.sh
// records for `tcpcheck conform`: a user-space wire between two TUN
// devices that loses, duplicates, reorders, delays and black-holes
// packets (this kernel has no netem), and the clients and servers of the
// scenarios. It is run as root inside the network namespaces the script
// makes, never on the host's own network; every loop is bounded in count
// and time.
//
//	netlab wire NSA TUNA NSB TUNB [flags]   relay packets between two TUN devices
//	netlab serve ADDR [flags]               accept connections and play a server
//	netlab dial ADDR [flags]                connect and play a client
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("netlab: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: netlab wire|serve|dial ...")
	}
	var err error
	switch os.Args[1] {
	case "wire":
		err = wire(os.Args[2:])
	case "serve":
		err = serve(os.Args[2:])
	case "dial":
		err = dial(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// impairment is what the wire does to one direction.
type impairment struct {
	loss, dup, reorder float64
	delay, jitter      time.Duration
	blackholeAfter     time.Duration
}

// wire relays IP packets between two TUN devices, each in its own
// namespace, with the impairments of the flags (A→B and B→A alike unless
// -ab-only), for at most -for.
func wire(args []string) error {
	if len(args) < 4 {
		return errors.New("usage: netlab wire NSA TUNA NSB TUNB [flags]")
	}
	fs := flag.NewFlagSet("wire", flag.ExitOnError)
	var im impairment
	fs.Float64Var(&im.loss, "loss", 0, "probability that a packet is dropped")
	fs.Float64Var(&im.dup, "dup", 0, "probability that a packet is sent twice")
	fs.Float64Var(&im.reorder, "reorder", 0, "probability that a packet is held back behind later ones")
	fs.DurationVar(&im.delay, "delay", 0, "one-way delay")
	fs.DurationVar(&im.jitter, "jitter", 0, "extra delay, uniform in [0, jitter)")
	fs.DurationVar(&im.blackholeAfter, "blackhole-after", 0, "drop every packet after this long (0: never)")
	abOnly := fs.Bool("ab-only", false, "impair only A→B")
	seed := fs.Int64("seed", 1, "random seed")
	limit := fs.Duration("for", 2*time.Minute, "stop after this long")
	fs.Parse(args[4:])
	a, err := openTUN(args[0], args[1])
	if err != nil {
		return err
	}
	b, err := openTUN(args[2], args[3])
	if err != nil {
		return err
	}
	start := time.Now()
	back := im
	if *abOnly {
		back = impairment{delay: im.delay, blackholeAfter: im.blackholeAfter}
	}
	go relay(a, b, im, rand.New(rand.NewSource(*seed)), start)
	go relay(b, a, back, rand.New(rand.NewSource(*seed+1)), start)
	time.Sleep(*limit)
	return nil
}

func relay(from, to *os.File, im impairment, rng *rand.Rand, start time.Time) {
	send := func(pkt []byte, after time.Duration) {
		time.AfterFunc(after, func() { to.Write(pkt) })
	}
	for {
		buf := make([]byte, 65536)
		n, err := from.Read(buf)
		if err != nil {
			log.Fatalf("wire: %v", err)
		}
		pkt := buf[:n]
		if im.blackholeAfter > 0 && time.Since(start) > im.blackholeAfter || rng.Float64() < im.loss {
			continue
		}
		d := im.delay
		if im.jitter > 0 {
			d += time.Duration(rng.Int63n(int64(im.jitter)))
		}
		if rng.Float64() < im.reorder {
			d += im.delay/2 + 2*time.Millisecond
		}
		send(pkt, d)
		if rng.Float64() < im.dup {
			send(pkt, d+time.Millisecond)
		}
	}
}

// openTUN attaches to the persistent TUN device name in namespace ns.
func openTUN(ns, name string) (*os.File, error) {
	runtime.LockOSThread() // setns changes only this thread; it stays locked, and dies with it
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

// sockopt sets integer socket options on a connection or listener before
// it is used.
func sockopt(opts ...[3]int) func(string, string, syscall.RawConn) error {
	return func(_, _ string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) {
			for _, o := range opts {
				if err := syscall.SetsockoptInt(int(fd), o[0], o[1], o[2]); err != nil {
					serr = err
				}
			}
		})
		return serr
	}
}

const tcpUserTimeout = 18 // TCP_USER_TIMEOUT

// serve accepts up to -n connections on addr and plays -mode on each:
// sink (read to EOF, close), slow (a small receive buffer read slowly:
// zero windows), echo (answer what it reads, close), close-first (send a
// greeting and close at once: the server gets TIME-WAIT).
func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	mode := fs.String("mode", "sink", "sink, slow, echo or close-first")
	n := fs.Int("n", 1, "connections to accept")
	limit := fs.Duration("for", time.Minute, "stop after this long")
	fs.Parse(args[1:])
	lc := net.ListenConfig{}
	if *mode == "slow" {
		lc.Control = sockopt([3]int{syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096})
	}
	ln, err := lc.Listen(nil, "tcp", args[0])
	if err != nil {
		return err
	}
	time.AfterFunc(*limit, func() { ln.Close() })
	var wg sync.WaitGroup
	for range *n {
		c, err := ln.Accept()
		if err != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(*limit))
			switch *mode {
			case "sink":
				io.Copy(io.Discard, c)
			case "slow":
				buf := make([]byte, 512)
				for i := 0; i < 100000; i++ {
					if _, err := c.Read(buf); err != nil {
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
			case "echo":
				io.Copy(c, c)
			case "close-first":
				c.Write([]byte("bye"))
			}
		}()
	}
	ln.Close()
	wg.Wait()
	return nil
}

// dial connects to addr and plays -mode: bulk (send -bytes, close),
// idle (connect, stay idle -idle long with keep-alives every second, close),
// stall (send into a black hole with TCP_USER_TIMEOUT until it gives up),
// reuse (-n connections one after another from the same -port, reading
// the server's greeting), many (-n concurrent echo exchanges).
func dial(args []string) error {
	fs := flag.NewFlagSet("dial", flag.ExitOnError)
	mode := fs.String("mode", "bulk", "bulk, idle, stall, reuse or many")
	size := fs.Int("bytes", 1<<20, "bytes to send (bulk)")
	idle := fs.Duration("idle", 4*time.Second, "how long to stay idle (idle)")
	n := fs.Int("n", 1, "connections (reuse, many)")
	port := fs.Int("port", 0, "local port (reuse)")
	limit := fs.Duration("for", time.Minute, "give up after this long")
	fs.Parse(args[1:])
	addr := args[0]
	deadline := time.Now().Add(*limit)
	switch *mode {
	case "bulk":
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			return err
		}
		c.SetDeadline(deadline)
		buf := make([]byte, 65536)
		for left := *size; left > 0; left -= len(buf) {
			if _, err := c.Write(buf[:min(left, len(buf))]); err != nil {
				return err
			}
		}
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
		return c.Close()
	case "idle", "stall":
		opts := [][3]int{
			{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1},
			{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, 1},
			{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, 1},
			{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, 3},
		}
		if *mode == "stall" {
			opts = append(opts, [3]int{syscall.IPPROTO_TCP, tcpUserTimeout, 3000})
		}
		d := net.Dialer{Timeout: 10 * time.Second, Control: sockopt(opts...), KeepAlive: -1}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			return err
		}
		c.SetDeadline(deadline)
		if *mode == "stall" {
			c.Write([]byte("hello"))
			time.Sleep(2 * time.Second) // the wire turns into a black hole
			c.Write([]byte("anyone?"))
			buf := make([]byte, 16)
			_, err := c.Read(buf) // fails when the user timeout or keep-alives give up
			log.Printf("stall: %v", err)
			return nil
		}
		time.Sleep(*idle)
		return c.Close()
	case "reuse":
		for i := range *n {
			d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{Port: *port},
				Control: sockopt([3]int{syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1})}
			c, err := d.Dial("tcp", addr)
			if err != nil {
				return fmt.Errorf("connection %d: %v", i+1, err)
			}
			c.SetDeadline(deadline)
			io.Copy(io.Discard, c)
			c.Close()
			time.Sleep(200 * time.Millisecond)
		}
		return nil
	case "many":
		var wg sync.WaitGroup
		errs := make([]error, *n)
		for i := range *n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := net.DialTimeout("tcp", addr, 10*time.Second)
				if err != nil {
					errs[i] = err
					return
				}
				defer c.Close()
				c.SetDeadline(deadline)
				msg := []byte(fmt.Sprintf("hello %d", i))
				c.Write(msg)
				c.(*net.TCPConn).CloseWrite()
				io.Copy(io.Discard, c)
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	return fmt.Errorf("unknown mode %q", *mode)
}
