//go:build race

package mutate

func init() { raceEnabled = true }
