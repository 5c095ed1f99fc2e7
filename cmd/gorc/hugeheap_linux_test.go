package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// vma is one mapping of /proc/self/smaps: its range, whether it carries
// the huge-page advice (VmFlags "hg") and its AnonHugePages in KiB.
type vma struct {
	lo, hi  uintptr
	advised bool
	hugeKB  int
}

// readSmaps parses /proc/self/smaps into its mappings.
func readSmaps() ([]vma, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []vma
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && !strings.HasSuffix(fields[0], ":") {
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				out = append(out, vma{lo: uintptr(l), hi: uintptr(h)})
				continue
			}
		}
		if len(out) == 0 {
			continue
		}
		cur := &out[len(out)-1]
		switch fields[0] {
		case "VmFlags:":
			for _, fl := range fields[1:] {
				if fl == "hg" {
					cur.advised = true
				}
			}
		case "AnonHugePages:":
			if len(fields) >= 2 {
				cur.hugeKB, _ = strconv.Atoi(fields[1])
			}
		}
	}
	return out, sc.Err()
}

// hugeHeapChild is the body of TestPrepareHeapHugePages, run in a fresh
// process (the test binary re-executed) so that the heap is as small as
// gorc's own at start-up: in a test binary that has run other tests, the
// heap's lowest free memory is whatever those tests left, not the
// memory prepareHeap advised. It prints "advised N of M objects" and the
// AnonHugePages of those mappings.
// With GORC_TEST_HUGEHEAP_CHILD=beside it readies the heap with
// prepareHeapBeside, the buffer beside it (3 MiB, as a source read into
// it) counted among the objects.
func hugeHeapChild(beside bool) {
	var buf []byte
	if beside {
		var wait func()
		buf, wait = prepareHeapBeside(32<<20, 3<<20, 0)
		for i := range buf {
			buf[i] = 1
		}
		wait()
	} else {
		prepareHeap(32 << 20)
	}
	// 16 MiB of small objects, kept alive, as a compile's IR is.
	keep := make([][]byte, 0, 1<<18)
	for range 1 << 18 {
		b := make([]byte, 64)
		b[0] = 1
		keep = append(keep, b)
	}
	maps, err := readSmaps()
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	advised, huge := 0, 0
	seen := map[int]bool{}
	for _, b := range keep {
		p := uintptr(unsafe.Pointer(&b[0]))
		for i, m := range maps {
			if p >= m.lo && p < m.hi {
				if m.advised {
					advised++
				}
				if !seen[i] {
					seen[i] = true
					huge += m.hugeKB
				}
				break
			}
		}
	}
	bufAdvised := 0
	if buf != nil {
		// The buffer's first and last bytes.
		for _, p := range []uintptr{uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&buf[len(buf)-1]))} {
			for _, m := range maps {
				if p >= m.lo && p < m.hi && m.advised {
					bufAdvised++
				}
			}
		}
	}
	fmt.Printf("advised %d of %d objects; AnonHugePages %d KiB; buffer %d\n", advised, len(keep), huge, bufAdvised)
	os.Exit(0)
}

func init() {
	if m := os.Getenv("GORC_TEST_HUGEHEAP_CHILD"); m == "1" || m == "beside" {
		hugeHeapChild(m == "beside")
	}
}

// TestPrepareHeapHugePages: after prepareHeap, the small objects a
// compile allocates live in memory advised for transparent huge pages
// (MADV_HUGEPAGE, VmFlags "hg" in smaps), so where the kernel has huge
// pages to give the heap is faulted in 2 MiB at a time rather than
// 4 KiB. Whether the kernel has a free 2 MiB page at that moment depends
// on the machine's memory, not on gorc, so the huge pages it actually
// gave are logged, and only the advice is asserted.
func TestPrepareHeapHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(mode), "[madvise]") || strings.Contains(string(mode), "[always]")) {
		t.Skipf("transparent huge pages not available in this kernel (%q, %v): MADV_HUGEPAGE has no effect here", mode, err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, env string }{
		{"prepareHeap", "1"},
		// The buffer beside the readied memory is advised too, from
		// its first byte to its last.
		{"prepareHeapBeside", "beside"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), "GORC_TEST_HUGEHEAP_CHILD="+tt.env)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var advised, total, hugeKB, buf int
			if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "advised %d of %d objects; AnonHugePages %d KiB; buffer %d", &advised, &total, &hugeKB, &buf); err != nil {
				t.Fatalf("child printed %q: %v", out, err)
			}
			t.Logf("%d of %d objects in advised memory; %d KiB of it in huge pages", advised, total, hugeKB)
			if advised < total*3/4 {
				t.Errorf("only %d of %d small objects allocated after %s are in memory advised for huge pages", advised, total, tt.name)
			}
			if tt.env == "beside" && buf != 2 {
				t.Errorf("%d of the buffer's first and last bytes in memory advised for huge pages, want 2", buf)
			}
		})
	}
}

// TestPopulateAhead: populateAhead makes every page of the range resident
// (mincore) without changing a byte of it, and leaves the pages past it
// alone.
func TestPopulateAhead(t *testing.T) {
	const size = 5 << 20 // two 2 MiB steps and a partial one
	mem, err := syscall.Mmap(-1, 0, size+(1<<20), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Madvise(mem[:4096], madvPopulateWrite); err != nil {
		t.Skipf("MADV_POPULATE_WRITE: %v (a kernel before 5.14)", err)
	}
	// Bytes written before, in pages spread over the range.
	for off := 8192; off < size; off += 3 << 18 {
		mem[off] = byte(off >> 18)
	}
	populateAhead(uintptr(unsafe.Pointer(&mem[0])), size)
	resident := func(lo, hi int) (in, out int) {
		vec := make([]byte, (hi-lo)/4096)
		if _, _, e := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&mem[lo])), uintptr(hi-lo), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
			t.Fatalf("mincore: %v", e)
		}
		for _, v := range vec {
			if v&1 != 0 {
				in++
			} else {
				out++
			}
		}
		return in, out
	}
	if in, out := resident(0, size); out != 0 {
		t.Errorf("%d of %d pages not resident after populateAhead", out, in+out)
	}
	if in, _ := resident(size, size+(1<<20)); in > 256-16 {
		// (a huge page may take in the start of the tail; not all of it)
		t.Errorf("%d pages past the range resident", in)
	}
	for off := 0; off < size; off += 4096 {
		want := byte(0)
		if off >= 8192 && (off-8192)%(3<<18) == 0 {
			want = byte(off >> 18)
		}
		if mem[off] != want {
			t.Fatalf("byte at %#x is %d, want %d", off, mem[off], want)
		}
	}
}

// TestPopulateReadied: populateReadied faults in the readied range once
// (every page resident, mincore), up to the size asked, and not again;
// a range an eager start-up populated already is not populated twice.
func TestPopulateReadied(t *testing.T) {
	const size = 3 << 20
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Madvise(mem[:4096], madvPopulateWrite); err != nil {
		t.Skipf("MADV_POPULATE_WRITE: %v (a kernel before 5.14)", err)
	}
	readied.mu.Lock()
	saved := readied.lo
	readied.lo, readied.n, readied.populated = 0, 0, false
	readied.mu.Unlock()
	defer func() {
		readied.mu.Lock()
		readied.lo, readied.n, readied.populated = saved, 0, true
		readied.mu.Unlock()
	}()
	if populateReadied(size) {
		t.Fatal("populateReadied started with nothing readied")
	}
	noteReadied(mem)
	const asked = 2 << 20
	if !populateReadied(asked) {
		t.Fatal("populateReadied did not start on a readied range")
	}
	if populateReadied(size) {
		t.Error("populateReadied started twice")
	}
	resident := func(lo, hi int) (in int) {
		vec := make([]byte, (hi-lo)/4096)
		if _, _, e := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&mem[lo])), uintptr(hi-lo), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
			t.Fatalf("mincore: %v", e)
		}
		for _, v := range vec {
			in += int(v & 1)
		}
		return in
	}
	// (It runs on a goroutine of its own.)
	deadline := time.Now().Add(10 * time.Second)
	for resident(0, asked) < asked/4096 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d pages resident 10 s after populateReadied", resident(0, asked), asked/4096)
		}
		time.Sleep(time.Millisecond)
	}
	if in := resident(asked, size); in > 0 {
		t.Errorf("%d pages past the %d bytes asked resident", in, asked)
	}
	// An eager start-up's prepareHeapBeside populates its own range:
	// populateReadied leaves it alone.
	_, wait := prepareHeapBeside(8<<20, 0, 4<<20)
	wait()
	if populateReadied(8 << 20) {
		t.Error("populateReadied started on a range prepareHeapBeside populated")
	}
}

// TestPrepareHeapBounded: a huge source does not ready (and so let the
// lazy run grow its heap uncollected to) a multiple of its size past
// maxReadiedHeap.
func TestPrepareHeapBounded(t *testing.T) {
	if got := prepareHeap(8 * maxReadiedHeap); got != maxReadiedHeap {
		t.Fatalf("prepareHeap(8 GiB) readied %d bytes, want %d", got, maxReadiedHeap)
	}
}
