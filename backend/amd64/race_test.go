//go:build race

package amd64_test

const raceEnabled = true
