// Package workflows holds no code: its test checks that the GitHub Actions
// workflows tcpcheck ships — its own .github/workflows/ci.yml and the one
// docs/fuzzing.md gives users — are workflows GitHub runs as written.
package workflows
