package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Helpers shared by the command's tests (no cgo needed to build them).

var (
	gorcBinOnce sync.Once
	gorcBinPath string
	gorcBinErr  error
)

// gorcBinary builds the gorc command once per test process.
func gorcBinary(t testing.TB) string {
	t.Helper()
	gorcBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gorc-bin-")
		if err != nil {
			gorcBinErr = err
			return
		}
		gorcBinPath = filepath.Join(dir, "gorc")
		out, err := exec.Command("go", "build", "-o", gorcBinPath, ".").CombinedOutput()
		if err != nil {
			gorcBinErr = fmt.Errorf("go build ./cmd/gorc: %v\n%s", err, out)
		}
	})
	if gorcBinErr != nil {
		t.Fatal(gorcBinErr)
	}
	return gorcBinPath
}
