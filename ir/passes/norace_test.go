//go:build !race

package passes

// raceEnabled: the race detector is on (its instrumentation changes
// what escapes to the heap, so allocation counts differ).
const raceEnabled = false
