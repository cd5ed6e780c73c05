// Package examples holds runnable programs that use tcpcheck the way a
// user does from their own module, importing only its exported API:
// forgetful-listener (a variant of one's own checked against the
// catalogue) and rfc1337 (a property of one's own, and RFC 1337's fix as a
// variant). Each directory's expected.txt is its output; the tests run
// each program and compare, and build every Go snippet of
// docs/extending.md.
package examples
