//go:build !race

package amd64_test

// raceEnabled: the race detector is on (it makes sync.Pool drop items at
// random, so allocation counts of pooled code vary).
const raceEnabled = false
