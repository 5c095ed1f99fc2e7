package kaleidoscope

import (
	"fmt"
	"strings"
)

// Expr is an expression node. Every expression evaluates to a double.
type Expr interface {
	// Position returns where the expression starts.
	Position() Pos
	String() string
}

// NumberExpr is a numeric literal.
type NumberExpr struct {
	Pos Pos
	Val float64
}

// VariableExpr is a reference to a variable.
type VariableExpr struct {
	Pos  Pos
	Name string
}

// UnaryExpr applies a user-defined unary operator.
type UnaryExpr struct {
	Pos     Pos
	Op      byte
	Operand Expr
}

// BinaryExpr is LHS Op RHS (built-in + - * < =, or user-defined).
type BinaryExpr struct {
	Pos      Pos // the operator's position
	Op       byte
	LHS, RHS Expr
}

// CallExpr calls a function.
type CallExpr struct {
	Pos    Pos
	Callee string
	Args   []Expr
}

// IfExpr is if Cond then Then else Else.
type IfExpr struct {
	Pos              Pos
	Cond, Then, Else Expr
}

// ForExpr is for Var = Start, End[, Step] in Body; it evaluates to 0.
type ForExpr struct {
	Pos                    Pos
	Var                    string
	Start, End, Step, Body Expr // Step may be nil (1.0)
}

// VarBinding is one "name = init" of a var expression; Init may be nil
// (0.0).
type VarBinding struct {
	Pos  Pos
	Name string
	Init Expr
}

// VarExpr is var a = 1, b in Body.
type VarExpr struct {
	Pos  Pos
	Vars []VarBinding
	Body Expr
}

func (e *NumberExpr) Position() Pos   { return e.Pos }
func (e *VariableExpr) Position() Pos { return e.Pos }
func (e *UnaryExpr) Position() Pos    { return e.Pos }
func (e *BinaryExpr) Position() Pos   { return e.Pos }
func (e *CallExpr) Position() Pos     { return e.Pos }
func (e *IfExpr) Position() Pos       { return e.Pos }
func (e *ForExpr) Position() Pos      { return e.Pos }
func (e *VarExpr) Position() Pos      { return e.Pos }

func (e *NumberExpr) String() string   { return fmt.Sprint(e.Val) }
func (e *VariableExpr) String() string { return e.Name }
func (e *UnaryExpr) String() string    { return fmt.Sprintf("(%c%v)", e.Op, e.Operand) }

// String prints (LHS Op RHS); a left-deep chain is walked with a loop, not
// recursion (see Generator.binaryChain).
func (e *BinaryExpr) String() string {
	spine := []*BinaryExpr{e}
	for {
		l, ok := spine[len(spine)-1].LHS.(*BinaryExpr)
		if !ok {
			break
		}
		spine = append(spine, l)
	}
	var sb strings.Builder
	sb.WriteString(strings.Repeat("(", len(spine)))
	sb.WriteString(spine[len(spine)-1].LHS.String())
	for i := len(spine) - 1; i >= 0; i-- {
		fmt.Fprintf(&sb, " %c %v)", spine[i].Op, spine[i].RHS)
	}
	return sb.String()
}
func (e *CallExpr) String() string {
	args := make([]string, len(e.Args))
	for i, a := range e.Args {
		args[i] = a.String()
	}
	return e.Callee + "(" + strings.Join(args, ", ") + ")"
}
func (e *IfExpr) String() string {
	return fmt.Sprintf("(if %v then %v else %v)", e.Cond, e.Then, e.Else)
}
func (e *ForExpr) String() string {
	step := ""
	if e.Step != nil {
		step = fmt.Sprintf(", %v", e.Step)
	}
	return fmt.Sprintf("(for %s = %v, %v%s in %v)", e.Var, e.Start, e.End, step, e.Body)
}
func (e *VarExpr) String() string {
	vs := make([]string, len(e.Vars))
	for i, v := range e.Vars {
		if v.Init != nil {
			vs[i] = fmt.Sprintf("%s = %v", v.Name, v.Init)
		} else {
			vs[i] = v.Name
		}
	}
	return fmt.Sprintf("(var %s in %v)", strings.Join(vs, ", "), e.Body)
}

// ProtoKind says whether a prototype names a function or an operator.
type ProtoKind uint8

// Prototype kinds.
const (
	ProtoFunc ProtoKind = iota
	ProtoUnary
	ProtoBinary
)

// Prototype is a function's name and parameter names. Operators are
// named "unary!" / "binary|".
type Prototype struct {
	Pos        Pos
	Name       string
	Params     []string
	Kind       ProtoKind
	Precedence int // binary operators
}

// OperatorChar returns the operator character of a unary/binary prototype.
func (p *Prototype) OperatorChar() byte {
	if p.Kind == ProtoFunc || len(p.Name) == 0 {
		return 0
	}
	return p.Name[len(p.Name)-1]
}

func (p *Prototype) String() string { return p.Name + "(" + strings.Join(p.Params, " ") + ")" }

// FunctionDef is def Proto Body. A top-level expression is a FunctionDef
// with TopLevel set and an anonymous prototype.
type FunctionDef struct {
	Proto    *Prototype
	Body     Expr // nil while a lazily skipped body is not parsed (ParseBody)
	TopLevel bool

	lazy *lazyBody // the skipped body (Parser.SetLazyBodies)
}

// Item is one top-level item: a *FunctionDef or an *Extern.
type Item interface{ itemPos() Pos }

// Extern is extern Proto.
type Extern struct{ Proto *Prototype }

func (d *FunctionDef) itemPos() Pos { return d.Proto.Pos }
func (e *Extern) itemPos() Pos      { return e.Proto.Pos }
