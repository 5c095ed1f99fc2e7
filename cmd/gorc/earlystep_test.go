//go:build cgo

package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRunChildPlacedReserveFails: a child executor that cannot make the
// reservation the controller placed before its hello (here its address
// space is limited to 2 GB, under the 1 GiB slab's reservation and Go's
// own) fails the run with that reason, without a hang and without the
// hint for programs that are their own executor (gorc is one, and its
// executor did start: the hint misled before).
func TestRunChildPlacedReserveFails(t *testing.T) {
	dir := t.TempDir()
	obj := ccObj(t, dir, "hello", "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n")
	bin := gorcBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := runProcess(ctx, dir, []string{"sh", "-c", `ulimit -v 2000000 && exec "$0" run -exec child "$1"`, bin, obj}, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.status == 0 {
		// (A machine whose kernel lets 1 GiB of PROT_NONE, MAP_NORESERVE
		// mapping past RLIMIT_AS: nothing to check.)
		t.Skipf("the reservation succeeded under ulimit -v: %q", r.stdout)
	}
	if r.status != 1 || !strings.Contains(r.stderr, "placed before the executor had started") || !strings.Contains(r.stderr, "cannot allocate memory") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 naming the placed reservation and ENOMEM", r.status, r.stderr)
	}
	if strings.Contains(r.stderr, "ServeExecutorIfChild") {
		t.Errorf("stderr gives the hint for programs that are their own executor:\n%s", r.stderr)
	}
}
