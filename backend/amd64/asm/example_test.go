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
