//go:build cgo

package executor

import (
	"encoding/binary"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

func fsLoadEAX(off int64) []byte { // mov eax, fs:[off]
	return binary.LittleEndian.AppendUint32([]byte{0x64, 0x8b, 0x04, 0x25}, uint32(int32(off)))
}
func fsStoreEAX(off int64) []byte { // mov fs:[off], eax
	return binary.LittleEndian.AppendUint32([]byte{0x64, 0x89, 0x04, 0x25}, uint32(int32(off)))
}

func TestTLS(t *testing.T) {
	const initial = 0x1234
	img := binary.LittleEndian.AppendUint32(nil, initial)
	b, err := AllocateTLS(TLSRequest{Size: 64, Align: 16, ImageSize: 8, Image: img})
	if err != nil {
		t.Fatal(err)
	}
	if b.TPOffset >= 0 || b.TPOffset%16 != 0 {
		t.Errorf("tpoff %d: want negative and 16-aligned (x86-64 variant II)", b.TPOffset)
	}
	if got := b.TPOffsetInNewThread(); got != b.TPOffset {
		t.Fatalf("tpoff differs between threads: %d vs %d", got, b.TPOffset)
	}
	if b.ModuleID == 0 {
		t.Fatal("module id 0")
	}
	tlsGetAddr := uint64(BootstrapSymbols()["__tls_get_addr"])
	ps := PageSize()
	r, err := Reserve(4*ps, false)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(r)
	code, data := r.Start, r.Start.Add(2*ps)
	Protect(shared.ExecutorAddrRange{Start: code, End: code.Add(ps)}, shared.ProtRead|shared.ProtWrite)
	Protect(shared.ExecutorAddrRange{Start: data, End: data.Add(ps)}, shared.ProtRead|shared.ProtWrite)
	var text []byte
	at := func(b []byte) shared.ExecutorAddr {
		a := code.Add(uint64(len(text)))
		text = append(text, b...)
		for len(text)%16 != 0 {
			text = append(text, 0xcc)
		}
		return a
	}
	// data: tls_index{module, offset 0}; a result slot at +16.
	idx := data
	slot := data.Add(16)
	Write(idx, binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, b.ModuleID), 0))

	// le: x += argc; return x  (local-exec access through %fs)
	le := at(append(append(append(fsLoadEAX(b.TPOffset), 0x01, 0xf8), fsStoreEAX(b.TPOffset)...), append(fsLoadEAX(b.TPOffset), 0xc3)...))
	// gd: return __tls_get_addr(&idx) - (%fs:0 + tpoff)
	a := new(asm).pushRBX().raw(0x64, 0x48, 0x8b, 0x1c, 0x25, 0, 0, 0, 0). // mov rbx, fs:0
										raw(0x48, 0x81, 0xc3).imm32(uint32(int32(b.TPOffset))). // add rbx, tpoff
										movRDI(uint64(idx)).movRAX(tlsGetAddr).callRAX().
										raw(0x48, 0x29, 0xd8).popRBX() // sub rax, rbx
	gd := at(a.ret())
	// thread: *slot = x; x = 999; return NULL
	th := at(append(append(append(fsLoadEAX(b.TPOffset), new(asm).raw(0x48, 0xb9).imm64(uint64(slot)).raw(0x89, 0x01).b...),
		0x64, 0xc7, 0x04, 0x25), append(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, uint32(int32(b.TPOffset))), 999), 0x31, 0xc0, 0xc3)...))
	// pt: create a pthread running th, join it, return own x.
	pt := at(new(asm).pushRBX().raw(0x48, 0x83, 0xec, 0x10). // sub rsp, 16
									raw(0x48, 0x89, 0xe7, 0x31, 0xf6).raw(0x48, 0xba).imm64(uint64(th)).raw(0x31, 0xc9). // rdi=rsp, esi=0, rdx=th, ecx=0
									movRAX(uint64(Dlsym(0, "pthread_create"))).callRAX().
									raw(0x48, 0x8b, 0x3c, 0x24, 0x31, 0xf6).movRAX(uint64(Dlsym(0, "pthread_join"))).callRAX().
									raw(fsLoadEAX(b.TPOffset)...).raw(0x48, 0x83, 0xc4, 0x10).popRBX().ret())
	Write(code, text)
	Protect(shared.ExecutorAddrRange{Start: code, End: code.Add(ps)}, shared.ProtRead|shared.ProtExec)

	t.Run("local-exec per thread", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := 1; i <= 6; i++ {
			wg.Add(1)
			go func(n int) {
				defer wg.Done()
				args := make([]string, n)
				got, err := RunAsMain(le, args)
				if err != nil || got != initial+n {
					t.Errorf("thread with argc %d: got %d, %v; want %d", n, got, err, initial+n)
				}
			}(i)
		}
		wg.Wait()
	})
	t.Run("general-dynamic via __tls_get_addr", func(t *testing.T) {
		got, err := RunAsMain(gd, nil)
		if err != nil || got != 0 {
			t.Fatalf("__tls_get_addr(module %d, 0) differs from %%fs+tpoff by %d (%v)", b.ModuleID, got, err)
		}
	})
	t.Run("program threads", func(t *testing.T) {
		got, err := RunAsMain(pt, nil)
		if err != nil || got != initial {
			t.Fatalf("main's TLS after its thread wrote 999: %d, want %d (%v)", got, initial, err)
		}
		v, _ := Read(slot, 4)
		if binary.LittleEndian.Uint32(v) != initial {
			t.Fatalf("thread saw %d, want image value %d", binary.LittleEndian.Uint32(v), initial)
		}
	})
	t.Run("set image", func(t *testing.T) {
		src := data.Add(64)
		Write(src, binary.LittleEndian.AppendUint32(nil, 5000))
		arg := binary.LittleEndian.AppendUint64(nil, uint64(b.ImageAddr))
		arg = binary.LittleEndian.AppendUint64(arg, uint64(src))
		arg = binary.LittleEndian.AppendUint64(arg, 4)
		if _, err := CallWrapper(BootstrapSymbols()[TLSSetImageName], arg); err != nil {
			t.Fatal(err)
		}
		if got, _ := RunAsMain(le, []string{"p"}); got != 5001 {
			t.Fatalf("after set-image, new thread computed %d, want 5001", got)
		}
		// Outside the image: refused.
		arg = binary.LittleEndian.AppendUint64(nil, uint64(b.ImageAddr)+4)
		arg = binary.LittleEndian.AppendUint64(arg, uint64(src))
		arg = binary.LittleEndian.AppendUint64(arg, 8)
		if _, err := CallWrapper(BootstrapSymbols()[TLSSetImageName], arg); err == nil {
			t.Fatal("set-image past the image accepted")
		}
	})
}

func TestTLSTooLarge(t *testing.T) {
	_, err := AllocateTLS(TLSRequest{Size: 1 << 20, Align: 64})
	if err == nil {
		t.Fatal("1 MiB static TLS block accepted without tunables")
	}
	if !strings.Contains(err.Error(), StaticTLSTunable) {
		t.Fatalf("error does not name the tunable: %v", err)
	}
}

// TestEnsureStaticTLS re-executes a helper with a larger surplus, in
// which a 64 KiB block fits.
func TestEnsureStaticTLS(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnsureStaticTLSHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "GORC_EXECUTOR_HELPER=bigtls", "GLIBC_TUNABLES=glibc.malloc.check=0")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "allocated 65536 bytes of TLS with glibc.malloc.check=0:glibc.rtld.optional_static_tls=131072") {
		t.Fatalf("helper: %v\n%s", err, out)
	}
}

func TestEnsureStaticTLSHelper(t *testing.T) {
	if os.Getenv("GORC_EXECUTOR_HELPER") != "bigtls" {
		t.Skip("helper process for TestEnsureStaticTLS")
	}
	if err := EnsureStaticTLS(128 << 10); err != nil {
		t.Fatal(err)
	}
	if _, err := AllocateTLS(TLSRequest{Size: 64 << 10, Align: 64}); err != nil {
		t.Fatal(err)
	}
	t.Logf("allocated 65536 bytes of TLS with %s", os.Getenv("GLIBC_TUNABLES"))
}

func TestTLSBadRequest(t *testing.T) {
	for _, r := range []TLSRequest{{}, {Size: 8, Align: 3}, {Size: 8, ImageSize: 16}, {Size: 8, ImageSize: 4, Image: make([]byte, 5)}} {
		if _, err := AllocateTLS(r); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
}

func TestStaticTLSEnv(t *testing.T) {
	for _, tc := range []struct {
		cur, want string
		enough    bool
	}{
		{"", "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=4096", false},
		{"glibc.malloc.check=0", "GLIBC_TUNABLES=glibc.malloc.check=0:glibc.rtld.optional_static_tls=4096", false},
		{"glibc.rtld.optional_static_tls=512:glibc.malloc.check=0", "GLIBC_TUNABLES=glibc.malloc.check=0:glibc.rtld.optional_static_tls=4096", false},
		{"glibc.rtld.optional_static_tls=8192", "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=8192", true},
		{"glibc.rtld.optional_static_tls=bad", "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=4096", false},
	} {
		t.Setenv("GLIBC_TUNABLES", tc.cur)
		got, enough := StaticTLSEnv(4096)
		if got != tc.want || enough != tc.enough {
			t.Errorf("GLIBC_TUNABLES=%q: StaticTLSEnv(4096) = %q, %v; want %q, %v", tc.cur, got, enough, tc.want, tc.enough)
		}
	}
}
