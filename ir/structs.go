package ir

// Struct types: named (%struct.S = type { i32, ptr }, type opaque) and
// literal ({ i32, ptr }, packed <{ i8, i32 }>). A named type may be used
// before its definition at the module's level (the parse ends with an
// error if it is never defined); a lazily parsed body sees the module's
// types as the module's parse left them and changes nothing.

// namedType parses "%name = type { ... }" or "%name = type opaque".
func (p *parser) namedType() {
	tok := p.tok
	name := p.keep(tok.text)
	p.next()
	p.expectPunct("=")
	p.expectWord("type")
	t := p.lookupType(name)
	if t == nil {
		t = &Type{Kind: StructKind, Name: name}
		p.m.typeNames[name] = t
	} else if _, fwd := p.typeRefs[t]; !fwd {
		p.failAt(tok, "redefinition of type '%%%s'", name)
	}
	delete(p.typeRefs, t)
	t.fwd = true // (until its body is in: no layout of it is cached before)
	if p.typeDefs == nil {
		p.typeDefs = make(map[*Type]token)
	}
	p.typeDefs[t] = tok
	p.m.Types = append(p.m.Types, t)
	switch {
	case p.acceptWord("opaque"):
		t.Opaque = true
	case p.isPunct("{"):
		body := p.structBody(p.tok, false)
		t.Fields = body.Fields
	case p.isPunct("<"):
		lt := p.tok
		p.next()
		if !p.isPunct("{") {
			p.failAt(lt, "vector types are not supported")
		}
		body := p.structBody(lt, true)
		p.expectPunct(">")
		t.Fields, t.Packed = body.Fields, true
	default:
		p.fail("expected a struct type or 'opaque' after 'type', found %v", p.tok)
	}
	t.fwd = false
	if checkTypeCycles([]*Type{t}) != nil {
		p.failAt(tok, "type '%%%s' contains itself", name)
	}
	if _, err := t.CheckSize(); err != nil {
		p.failAt(tok, "%v", err)
	}
	if l, complete := t.layoutOf(); complete && l.depth > maxTypeDepth {
		p.failAt(tok, "type '%%%s' nests too deeply (limit %d)", name, maxTypeDepth)
	}
}

// lookupType returns the named type name, or nil.
func (p *parser) lookupType(name string) *Type {
	if p.m.typeNames == nil {
		p.m.typeNames = make(map[string]*Type)
	}
	return p.m.typeNames[name]
}

// namedTypeRef parses a use of a named type (%name).
func (p *parser) namedTypeRef() *Type {
	tok := p.tok
	p.next()
	if t := p.lookupType(tok.text); t != nil {
		return t
	}
	if p.m.typesFinal {
		p.failAt(tok, "use of undefined type '%%%s'", tok.text)
	}
	t := &Type{Kind: StructKind, Name: p.keep(tok.text), fwd: true}
	p.m.typeNames[t.Name] = t
	if p.typeRefs == nil {
		p.typeRefs = make(map[*Type]token)
	}
	p.typeRefs[t] = tok
	return t
}

// structBody parses "{ T, ... }" (the current token is '{'); tok is where
// the type starts, for errors.
func (p *parser) structBody(tok token, packed bool) *Type {
	p.expectPunct("{")
	p.typeDepth++
	if p.typeDepth > maxTypeDepth {
		p.failAt(tok, "type nests too deeply (limit %d)", maxTypeDepth)
	}
	var fields []*Type
	for !p.isPunct("}") {
		if len(fields) > 0 {
			p.expectPunct(",")
		}
		ft := p.tok
		f := p.parseType()
		if !f.IsFirstClass() {
			p.failAt(ft, "invalid struct field type %v", f)
		}
		fields = append(fields, f)
	}
	p.next()
	p.typeDepth--
	return StructType(fields, packed)
}

// finishTypes checks, at the module's end, that every named type used is
// defined and none contains itself, and that the sizes fit.
func (p *parser) finishTypes() {
	var bad *Type
	var badTok token
	for t, tok := range p.typeRefs {
		if bad == nil || before(tok, badTok) {
			bad, badTok = t, tok
		}
	}
	if bad != nil {
		p.failAt(badTok, "use of undefined type '%%%s'", bad.Name)
	}
	// Every type is defined now: those whose layout depended on a later
	// definition are checked (and their layouts cached) here.
	for _, t := range p.m.Types {
		l, _ := t.layoutOf()
		if !l.ok {
			_, err := t.CheckSize()
			p.failAt(p.typeDefs[t], "%v", err)
		}
		if l.depth > maxTypeDepth {
			p.failAt(p.typeDefs[t], "type '%%%s' nests too deeply (limit %d)", t.Name, maxTypeDepth)
		}
	}
	p.m.typesFinal = true
}
