//go:build race

package kaleidoscope

func init() { raceEnabled = true }
