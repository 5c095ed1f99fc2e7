/* A tokenizer and precedence-climbing calculator whose tokens and
   results are small structs passed and returned by value. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum kind { NUM, OP, LP, RP, END, BAD };
struct token { enum kind k; long v; };
struct lexer { const char *s; int pos; };
struct result { long value; int ok; };

static struct token next(struct lexer *lx) {
	while (lx->s[lx->pos] == ' ')
		lx->pos++;
	char c = lx->s[lx->pos];
	if (!c)
		return (struct token){END, 0};
	if (isdigit((unsigned char)c)) {
		long v = 0;
		while (isdigit((unsigned char)lx->s[lx->pos]))
			v = v * 10 + (lx->s[lx->pos++] - '0');
		return (struct token){NUM, v};
	}
	lx->pos++;
	if (strchr("+-*/%", c))
		return (struct token){OP, c};
	if (c == '(')
		return (struct token){LP, 0};
	if (c == ')')
		return (struct token){RP, 0};
	return (struct token){BAD, c};
}

struct parser { struct lexer lx; struct token cur; };
static int prec(struct token t) { return t.k != OP ? 0 : (t.v == '+' || t.v == '-') ? 1 : 2; }
static void advance(struct parser *p) { p->cur = next(&p->lx); }
static struct result fail(void) { return (struct result){0, 0}; }
static struct result expr(struct parser *p, int min);

static struct result atom(struct parser *p) {
	struct token t = p->cur;
	if (t.k == NUM) {
		advance(p);
		return (struct result){t.v, 1};
	}
	if (t.k == OP && t.v == '-') {
		advance(p);
		struct result r = atom(p);
		return (struct result){-r.value, r.ok};
	}
	if (t.k == LP) {
		advance(p);
		struct result r = expr(p, 1);
		if (p->cur.k != RP)
			return fail();
		advance(p);
		return r;
	}
	return fail();
}

static struct result apply(long op, struct result a, struct result b) {
	if (!a.ok || !b.ok)
		return fail();
	switch (op) {
	case '+': return (struct result){a.value + b.value, 1};
	case '-': return (struct result){a.value - b.value, 1};
	case '*': return (struct result){a.value * b.value, 1};
	case '/': return b.value ? (struct result){a.value / b.value, 1} : fail();
	default: return b.value ? (struct result){a.value % b.value, 1} : fail();
	}
}

static struct result expr(struct parser *p, int min) {
	struct result lhs = atom(p);
	while (prec(p->cur) >= min) {
		struct token op = p->cur;
		advance(p);
		struct result rhs = expr(p, prec(op) + 1);
		lhs = apply(op.v, lhs, rhs);
	}
	return lhs;
}

static struct result eval(const char *s) {
	struct parser p = {{s, 0}, {END, 0}};
	advance(&p);
	struct result r = expr(&p, 1);
	if (p.cur.k != END)
		return fail();
	return r;
}

int main(void) {
	const char *progs[] = {"1 + 2 * 3", "(1 + 2) * 3", "100 / 7 % 5", "-(4 - 10) * -2", "2 * (3 + (4 - 1)) / 0",
			       "12345 * 6789 - 42", "((((7))))", "3 +", "8 / 2 / 2", "1 - 2 - 3 - 4"};
	int good = 0;
	for (int i = 0; i < 10; i++) {
		struct result r = eval(progs[i]);
		good += r.ok;
		if (r.ok)
			printf("%-24s = %ld\n", progs[i], r.value);
		else
			printf("%-24s : error\n", progs[i]);
	}
	struct lexer lx = {"a+1", 0};
	struct token t = next(&lx);
	printf("bad token %d '%c'\n", t.k, (char)t.v);
	return good;
}
