// SQLite workload for the engine benchmark, built with the SQLite amalgamation as a WASI
// reactor (build.sh). `run(rows)` works on an in-memory database: bulk insert in a transaction,
// index, range aggregates with bound parameters, GROUP BY / ORDER BY / LIKE, UPDATE, DELETE,
// CREATE TABLE AS, a join, and returns a checksum of every value every query returned.
// The OS layer is a minimal VFS (SQLITE_OS_OTHER): no files, fixed time, deterministic
// randomness, so every engine must return the same checksum.
#include <string.h>
#include "sqlite3.h"

/* ---- the VFS: in-memory databases never open a file ---- */
static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out) {
  (void)vfs, (void)name, (void)file, (void)flags, (void)out;
  return SQLITE_CANTOPEN;
}
static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync) {
  (void)vfs, (void)name, (void)sync;
  return SQLITE_IOERR_DELETE;
}
static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
  (void)vfs, (void)name, (void)flags;
  *out = 0;
  return SQLITE_OK;
}
static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
  (void)vfs;
  sqlite3_snprintf(size, out, "%s", name);
  return SQLITE_OK;
}
static unsigned random_state = 12345;
static int vfs_randomness(sqlite3_vfs *vfs, int size, char *out) {
  (void)vfs;
  for (int i = 0; i < size; i++) {
    random_state = random_state * 1103515245u + 12345u;
    out[i] = (char)(random_state >> 16);
  }
  return size;
}
static int vfs_sleep(sqlite3_vfs *vfs, int micros) {
  (void)vfs;
  return micros;
}
static int vfs_current_time(sqlite3_vfs *vfs, double *now) {
  (void)vfs;
  *now = 2460000.5; /* a fixed Julian day */
  return SQLITE_OK;
}
static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
  (void)vfs;
  *now = (sqlite3_int64)2460000 * 86400000 + 43200000;
  return SQLITE_OK;
}
static int vfs_last_error(sqlite3_vfs *vfs, int size, char *out) {
  (void)vfs, (void)size, (void)out;
  return 0;
}

static sqlite3_vfs memory_only_vfs = {
    2, (int)sizeof(sqlite3_file), 512, 0, "memory-only", 0,
    vfs_open, vfs_delete, vfs_access, vfs_full_pathname,
    0, 0, 0, 0,
    vfs_randomness, vfs_sleep, vfs_current_time, vfs_last_error, vfs_current_time_int64,
    0, 0, 0,
};

int sqlite3_os_init(void) { return sqlite3_vfs_register(&memory_only_vfs, 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }

/* ---- the workload ---- */
static unsigned checksum;
static int failed;

static void fold_text(const unsigned char *text) {
  if (!text) {
    checksum = checksum * 31u + 7u;
    return;
  }
  for (; *text; text++) checksum = (checksum ^ *text) * 16777619u;
}

/* runs every row of a statement, folding each column's text form into the checksum */
static void drain(sqlite3_stmt *stmt) {
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    for (int i = 0; i < sqlite3_column_count(stmt); i++) fold_text(sqlite3_column_text(stmt, i));
  if (rc != SQLITE_DONE) failed = rc;
}

static void query(sqlite3 *db, const char *sql) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, 0) != SQLITE_OK) {
    failed = 1000 + sqlite3_errcode(db);
    return;
  }
  drain(stmt);
  sqlite3_finalize(stmt);
}

static const char *const words[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
                                    "golf", "hotel", "india", "juliet", "kilo", "lima"};

__attribute__((export_name("run"))) unsigned run(int rows) {
  sqlite3 *db;
  checksum = 2166136261u;
  failed = 0;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
  query(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)");
  query(db, "BEGIN");
  sqlite3_stmt *insert;
  sqlite3_prepare_v2(db, "INSERT INTO t(a, b, c) VALUES (?1, ?2, ?3)", -1, &insert, 0);
  unsigned seed = 42;
  for (int i = 0; i < rows; i++) {
    seed = seed * 1664525u + 1013904223u;
    int a = (int)(seed >> 8) % 100000;
    char b[64];
    sqlite3_snprintf(sizeof b, b, "%s-%s-%d", words[seed % 12], words[(seed >> 4) % 12], a % 97);
    sqlite3_bind_int(insert, 1, a);
    sqlite3_bind_text(insert, 2, b, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(insert, 3, a / 7.0);
    drain(insert);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  query(db, "COMMIT");
  query(db, "CREATE INDEX t_a ON t(a)");
  sqlite3_stmt *range;
  sqlite3_prepare_v2(db, "SELECT count(*), sum(a), printf('%.3f', avg(c)) FROM t WHERE a BETWEEN ?1 AND ?2",
                     -1, &range, 0);
  for (int i = 0; i < 200; i++) {
    sqlite3_bind_int(range, 1, i * 400);
    sqlite3_bind_int(range, 2, i * 400 + 2500);
    drain(range);
    sqlite3_reset(range);
  }
  sqlite3_finalize(range);
  query(db, "SELECT b, count(*) FROM t GROUP BY b ORDER BY 2 DESC, 1 LIMIT 20");
  query(db, "SELECT count(*), min(b), max(b) FROM t WHERE b LIKE '%ha-%'");
  query(db, "SELECT substr(b, 1, 3) AS p, sum(a) FROM t GROUP BY p ORDER BY p");
  query(db, "UPDATE t SET c = c * 2 WHERE a % 3 = 0");
  query(db, "DELETE FROM t WHERE a % 5 = 0");
  query(db, "CREATE TABLE u AS SELECT a % 1000 AS k, count(*) AS n FROM t GROUP BY k");
  query(db, "SELECT sum(t.a * u.n) % 1000000007, count(*) FROM t JOIN u ON u.k = t.a % 1000 "
            "WHERE t.id % 10 = 0");
  query(db, "SELECT id, a, b, printf('%.4f', c) FROM t ORDER BY c DESC, id LIMIT 50");
  sqlite3_close(db);
  return failed ? (unsigned)failed : checksum;
}
