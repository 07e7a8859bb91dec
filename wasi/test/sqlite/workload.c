// A small SQL workload against a database FILE in a preopened directory (argv[1]), run through
// SQLite's own unix VFS on WASI: schema, a transaction of inserts, an index, aggregates, joins,
// updates, deletes, then a second connection that reopens the file and checks what persisted.
// Prints every result row, so runs on different WASI hosts can be compared byte for byte.
#include <stdio.h>
#include <stdlib.h>
#include "sqlite3.h"

static int print_row(void *label, int n, char **values, char **names) {
  printf("%s:", (const char *)label);
  for (int i = 0; i < n; i++) printf(" %s=%s", names[i], values[i] ? values[i] : "NULL");
  printf("\n");
  return 0;
}

static int exec(sqlite3 *db, const char *label, const char *sql) {
  char *error = NULL;
  if (sqlite3_exec(db, sql, print_row, (void *)label, &error) != SQLITE_OK) {
    printf("%s: error: %s\n", label, error);
    sqlite3_free(error);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DB-FILE [ROWS]\n", argv[0]);
    return 2;
  }
  int rows = argc > 2 ? atoi(argv[2]) : 2000;
  sqlite3 *db;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
    printf("open: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  int failed = 0;
  failed |= exec(db, "version", "SELECT sqlite_version() >= '3.40' AS recent");
  failed |= exec(db, "schema",
                 "PRAGMA journal_mode=DELETE;"
                 "CREATE TABLE city(id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT, population INTEGER);"
                 "CREATE TABLE visit(id INTEGER PRIMARY KEY, city_id INTEGER REFERENCES city(id), day INTEGER, cost REAL);");
  failed |= exec(db, "begin", "BEGIN");
  sqlite3_stmt *insert;
  sqlite3_prepare_v2(db, "INSERT INTO visit(city_id, day, cost) VALUES (?, ?, ?)", -1, &insert, NULL);
  static const char *countries[] = {"FR", "DE", "JP", "BR", "KE"};
  char sql[256];
  for (int i = 1; i <= 50; i++) {
    snprintf(sql, sizeof sql, "INSERT INTO city VALUES (%d, 'city-%03d', '%s', %d)", i, i, countries[i % 5],
             (i * 7919) % 100000);
    failed |= exec(db, "insert", sql);
  }
  unsigned seed = 12345;
  for (int i = 0; i < rows; i++) {
    seed = seed * 1103515245u + 12345u;
    sqlite3_bind_int(insert, 1, 1 + (seed >> 8) % 50);
    sqlite3_bind_int(insert, 2, i % 365);
    sqlite3_bind_double(insert, 3, ((seed >> 4) % 10000) / 100.0);
    if (sqlite3_step(insert) != SQLITE_DONE) failed = 1;
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  failed |= exec(db, "commit", "COMMIT");
  failed |= exec(db, "index", "CREATE INDEX visit_city ON visit(city_id)");
  failed |= exec(db, "count", "SELECT count(*) AS n, round(sum(cost), 2) AS total FROM visit");
  failed |= exec(db, "by-country",
                 "SELECT c.country, count(*) AS visits, round(avg(v.cost), 3) AS avg_cost "
                 "FROM visit v JOIN city c ON c.id = v.city_id GROUP BY c.country ORDER BY c.country");
  failed |= exec(db, "top",
                 "SELECT c.name, count(*) AS visits FROM visit v JOIN city c ON c.id = v.city_id "
                 "GROUP BY c.id ORDER BY visits DESC, c.name LIMIT 3");
  failed |= exec(db, "update", "UPDATE visit SET cost = cost * 2 WHERE day < 10");
  failed |= exec(db, "delete", "DELETE FROM visit WHERE city_id % 7 = 0");
  failed |= exec(db, "after", "SELECT count(*) AS n, round(sum(cost), 2) AS total FROM visit");
  failed |= exec(db, "rollback", "BEGIN; DELETE FROM visit; ROLLBACK; SELECT count(*) AS still FROM visit");
  failed |= exec(db, "integrity", "PRAGMA integrity_check");
  sqlite3_close(db);
  // A new connection: everything committed must be in the file.
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    printf("reopen: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  failed |= exec(db, "reopened", "SELECT count(*) AS n, (SELECT count(*) FROM city) AS cities FROM visit");
  sqlite3_close(db);
  printf("%s\n", failed ? "FAILED" : "done");
  return failed;
}
