#include <stdio.h>

int real_f(int);
int alias_f(int);
int weak_f(int);
int pub_hidden(int);
int bump(void);
extern int real_v, alias_v, counter_alias;

int main(void) {
	printf("alias_f(4)=%d weak_f(5)=%d pub_hidden(1)=%d\n", alias_f(4), weak_f(5), pub_hidden(1));
	printf("real_f(4)=%d\n", real_f(4));
	alias_v += 8;
	printf("real_v=%d alias_v=%d\n", real_v, alias_v);
	bump();
	counter_alias += 10;
	printf("counter %d %d\n", counter_alias, bump());
	return alias_f(2);
}
