package amd64_test

import (
	"encoding/binary"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/shared"
)

// TestAddIFuncStub links an ifunc stub whose resolver is defined in the
// graph or external, decodes it, and checks that its first and last
// jumps and the store go through one slot that first holds the resolve
// path (the stub + 6), that the call goes through a slot holding the
// resolver, that the stack is 16-byte aligned at the call, and that the
// registers pushed are popped in reverse order.
func TestAddIFuncStub(t *testing.T) {
	for _, external := range []bool{false, true} {
		name := "defined resolver"
		if external {
			name = "external resolver"
		}
		t.Run(name, func(t *testing.T) {
			g := jitlink.NewLinkGraph("ifunc", amd64.Arch)
			text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
			data := g.AddSection(".data", shared.ProtRead|shared.ProtWrite, 0)
			var resolver *jitlink.Symbol
			ext := map[string]shared.ExecutorAddr{}
			if external {
				resolver = g.AddExternalSymbol("resolver", false)
				ext["resolver"] = 0x7f00_1234_5678
			} else {
				b := g.AddContentBlock(text, []byte{0x31, 0xc0, 0xc3}, 16, 0)
				resolver = g.AddDefinedSymbol(b, 0, "resolver", 3, jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
			}
			stub := amd64.Arch.(jitlink.IFuncArch).AddIFuncStub(g, text, data, resolver)
			g.AddDefinedSymbol(stub.Block, stub.Offset, "f", stub.Size, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
			mm := linkShapes(t, g, ext)
			base := uint64(stub.Address())
			code, err := mm.Read(stub.Address(), stub.Size)
			if err != nil {
				t.Fatal(err)
			}
			read8 := func(a uint64) uint64 {
				b, err := mm.Read(shared.ExecutorAddr(a), 8)
				if err != nil {
					t.Fatal(err)
				}
				return binary.LittleEndian.Uint64(b)
			}
			slot, _ := ripTarget(t, code, base, x86asm.JMP)
			if got := read8(slot); got != base+6 {
				t.Errorf("slot holds %#x, want the resolve path %#x", got, base+6)
			}
			var pushed []x86asm.Reg
			depth := 8 // the caller's return address
			sawCall, sawStore := false, false
			for off := 6; off < len(code); {
				in, err := x86asm.Decode(code[off:], 64)
				if err != nil {
					t.Fatalf("+%#x: %v", off, err)
				}
				pc := base + uint64(off)
				switch in.Op {
				case x86asm.PUSH:
					pushed = append(pushed, in.Args[0].(x86asm.Reg))
					depth += 8
				case x86asm.POP:
					r := in.Args[0].(x86asm.Reg)
					if n := len(pushed); n == 0 || pushed[n-1] != r {
						t.Fatalf("+%#x: pop %v, pushed %v", off, r, pushed)
					}
					pushed = pushed[:len(pushed)-1]
					depth -= 8
				case x86asm.SUB:
					depth += int(in.Args[1].(x86asm.Imm))
				case x86asm.ADD:
					depth -= int(in.Args[1].(x86asm.Imm))
				case x86asm.CALL:
					if depth%16 != 0 {
						t.Errorf("+%#x: call with the stack at %d bytes below the caller's frame, not 16-aligned", off, depth)
					}
					rs, _ := ripTarget(t, code[off:], pc, x86asm.CALL)
					if got := read8(rs); got != uint64(resolver.Address()) && !(external && got == uint64(ext["resolver"])) {
						t.Errorf("resolver slot holds %#x, want %#x", got, resolver.Address())
					}
					sawCall = true
				case x86asm.MOV:
					if m, ok := in.Args[0].(x86asm.Mem); ok && m.Base == x86asm.RIP {
						if a := pc + uint64(in.Len) + uint64(int64(int32(m.Disp))); a != slot || in.Args[1] != x86asm.RAX {
							t.Errorf("+%#x: %v stores to %#x, want rax to the slot %#x", off, in, a, slot)
						}
						sawStore = true
					}
				case x86asm.JMP:
					if a, _ := ripTarget(t, code[off:], pc, x86asm.JMP); a != slot {
						t.Errorf("+%#x: last jump through %#x, want the slot %#x", off, a, slot)
					}
					if off+in.Len != len(code) {
						t.Errorf("the last jump ends at +%#x, the stub at +%#x", off+in.Len, len(code))
					}
				}
				off += in.Len
			}
			if !sawCall || !sawStore || len(pushed) != 0 || depth != 8 {
				t.Errorf("call %v store %v, left pushed %v, stack depth %d at the end", sawCall, sawStore, pushed, depth)
			}
		})
	}
}
