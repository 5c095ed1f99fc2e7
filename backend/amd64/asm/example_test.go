package asm_test

import (
	"fmt"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
)

// Encode a small loop and decode it again.
func ExampleAssembler() {
	var a asm.Assembler
	loop := a.NewLabel()
	a.SseRR(asm.Xorpd, asm.X0, asm.X0)            // sum = 0
	a.Bind(loop)                                  //
	a.SseRM(asm.Addsd, asm.X0, asm.M(asm.RDI, 0)) // sum += *p
	a.AluRI(asm.Add, 8, asm.RDI, 8)               // p++
	a.AluRI(asm.Sub, 8, asm.RSI, 1)               // n--
	a.Jcc(asm.CondNE, loop)                       //
	a.Ret()
	if err := a.Finish(); err != nil {
		fmt.Println(err)
		return
	}
	for pc := 0; pc < len(a.Buf); {
		inst, _ := x86asm.Decode(a.Buf[pc:], 64)
		fmt.Printf("% x\t%s\n", a.Buf[pc:pc+inst.Len], x86asm.IntelSyntax(inst, uint64(pc), nil))
		pc += inst.Len
	}
	// Output:
	// 66 0f 57 c0	xorpd xmm0, xmm0
	// f2 0f 58 07	addsd xmm0, qword ptr [rdi]
	// 48 83 c7 08	add rdi, 0x8
	// 48 83 ee 01	sub rsi, 0x1
	// 75 f2	jnz 0x4
	// c3	ret
}

// Emit a function with long forward branches, then let Relax pick those
// that reach in rel8 and Shrink rewrite them in place; Moved maps an
// offset recorded during emission (here the ret's) to the shrunk code.
func ExampleAssembler_Shrink() {
	var a asm.Assembler
	mark := a.Mark()
	done, loop := a.NewLabel(), a.NewLabel()
	a.Bind(loop)
	a.AluRI(asm.Sub, 8, asm.RDI, 1)
	a.Jcc(asm.CondE, done) // forward: emitted long (6 bytes)
	a.Nop(118)
	a.Jmp(loop) // backward: 130 bytes back, long (5 bytes)
	a.Bind(done)
	ret := a.Len()
	a.Ret()
	fmt.Println("emitted:", a.Len(), "bytes")
	a.Shrink(mark, a.Relax(nil))
	if err := a.Finish(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("shrunk:", a.Len(), "bytes; ret moved from", ret, "to", a.Moved(ret))
	for _, pc := range []int{4, a.Moved(ret) - 2} {
		inst, _ := x86asm.Decode(a.Buf[pc:], 64)
		fmt.Printf("% x\t%s\n", a.Buf[pc:pc+inst.Len], x86asm.IntelSyntax(inst, uint64(pc), nil))
	}
	// Output:
	// emitted: 134 bytes
	// shrunk: 127 bytes; ret moved from 133 to 126
	// 74 78	jz 0x7e
	// eb 82	jmp 0x0
}
