// sqlite driver: an in-memory database with tens of thousands of rows,
// indexes, aggregates, joins and sqlite_version(), linked from Debian's
// libsqlite3.a. Prints deterministic results only.
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

static int print_row(void *tag, int n, char **vals, char **cols) {
	printf("%s:", (const char *)tag);
	for (int i = 0; i < n; i++)
		printf(" %s=%s", cols[i], vals[i] ? vals[i] : "NULL");
	printf("\n");
	return 0;
}

static void must(int rc, sqlite3 *db, const char *what) {
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

static void query(sqlite3 *db, const char *tag, const char *sql) {
	char *err = NULL;
	if (sqlite3_exec(db, sql, print_row, (void *)tag, &err) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", tag, err);
		exit(1);
	}
}

int main(int argc, char **argv) {
	int rows = argc > 1 ? atoi(argv[1]) : 50000;
	sqlite3 *db;
	must(sqlite3_open(":memory:", &db), db, "open");
	query(db, "version", "SELECT sqlite_version() = '" SQLITE_VERSION "' AS header_matches");
	printf("library version matches header: %d\n", sqlite3_libversion_number() == SQLITE_VERSION_NUMBER);
	query(db, "ddl", "CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, val REAL);"
	                 "CREATE TABLE g(grp INTEGER PRIMARY KEY, label TEXT);");
	must(sqlite3_exec(db, "BEGIN", 0, 0, 0), db, "begin");
	sqlite3_stmt *ins;
	must(sqlite3_prepare_v2(db, "INSERT INTO t(id, grp, name, val) VALUES(?,?,?,?)", -1, &ins, 0), db, "prepare");
	unsigned s = 42;
	char name[32];
	for (int i = 1; i <= rows; i++) {
		s = s * 1103515245u + 12345u;
		snprintf(name, sizeof name, "row-%06u", (s >> 8) % 1000000);
		sqlite3_bind_int(ins, 1, i);
		sqlite3_bind_int(ins, 2, (int)((s >> 16) % 97));
		sqlite3_bind_text(ins, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(ins, 4, (double)((s >> 4) % 100000) / 100.0);
		must(sqlite3_step(ins), db, "insert");
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	for (int g = 0; g < 97; g++) {
		char sql[96];
		snprintf(sql, sizeof sql, "INSERT INTO g VALUES(%d, 'group-%02d')", g, g);
		must(sqlite3_exec(db, sql, 0, 0, 0), db, "insert g");
	}
	must(sqlite3_exec(db, "COMMIT", 0, 0, 0), db, "commit");
	query(db, "count", "SELECT count(*) AS n, count(DISTINCT grp) AS groups, printf('%.2f', sum(val)) AS total FROM t");
	query(db, "agg", "SELECT grp, count(*) AS n, printf('%.3f', avg(val)) AS avg, min(name) AS first FROM t "
	                 "GROUP BY grp ORDER BY n DESC, grp LIMIT 5");
	query(db, "index", "CREATE INDEX t_name ON t(name)");
	query(db, "like", "SELECT count(*) AS n FROM t WHERE name LIKE 'row-12%'");
	query(db, "join", "SELECT g.label, printf('%.2f', max(t.val)) AS top FROM t JOIN g USING(grp) "
	                  "WHERE grp % 10 = 3 GROUP BY g.label ORDER BY g.label");
	query(db, "window", "SELECT id, grp, rank FROM (SELECT id, grp, rank() OVER (PARTITION BY grp ORDER BY val DESC, id) AS rank "
	                    "FROM t) WHERE rank = 1 ORDER BY grp LIMIT 3");
	query(db, "update", "UPDATE t SET val = val * 2 WHERE grp = 5; SELECT changes() AS changed");
	query(db, "cte", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) "
	                 "SELECT sum(x) AS s, printf('%.6f', avg(x * 1.5)) AS a FROM c");
	query(db, "math", "SELECT printf('%.6f', sqrt(2.0)) AS r, length(zeroblob(100)) AS z");
	sqlite3_close(db);
	printf("done\n");
	return 0;
}
