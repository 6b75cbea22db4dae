package io.qbridge.http.security;

import io.qbridge.store.Database;
import io.qbridge.store.Migration;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link AuthLockout} in the shared database: every instance counts into one window per client
 * address, so spreading guesses over the instances behind a load balancer gains nothing. A failure
 * is one atomic upsert (a new window when the old one ended, else one more failure); a check is
 * one read. Ended windows are deleted at most once per window by each instance.
 */
public final class SqlAuthLockout implements AuthLockout {

  static final String COMPONENT = "auth_lockout";
  static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "admin sign-in failures counted by every instance",
      engine -> List.of("CREATE TABLE IF NOT EXISTS auth_failures (client TEXT PRIMARY KEY,"
          + " window_start_ms BIGINT NOT NULL, failures INTEGER NOT NULL)")));

  /** Params: client, now, window-ended-before, window-ended-before. */
  static final String RECORD = "INSERT INTO auth_failures (client, window_start_ms, failures) VALUES (?, ?, 1)"
      + " ON CONFLICT (client) DO UPDATE SET"
      + " failures = CASE WHEN auth_failures.window_start_ms <= ? THEN 1 ELSE auth_failures.failures + 1 END,"
      + " window_start_ms = CASE WHEN auth_failures.window_start_ms <= ? THEN excluded.window_start_ms"
      + " ELSE auth_failures.window_start_ms END";
  /** Params: client. */
  static final String FIND = "SELECT window_start_ms, failures FROM auth_failures WHERE client = ?";
  /** Params: window-ended-before. */
  static final String DELETE_ENDED = "DELETE FROM auth_failures WHERE window_start_ms <= ?";

  private final Database db;
  private final int maxFailures;
  private final long windowMs;
  private final Timekeeper time;
  private final AtomicLong sweptAt = new AtomicLong();

  private SqlAuthLockout(Database db, int maxFailures, Duration window, Timekeeper time) {
    this.db = db;
    this.maxFailures = maxFailures;
    this.windowMs = window.toMillis();
    this.time = time;
  }

  /** Creates the table if missing (a migration), then the lockout. */
  public static Future<AuthLockout> open(Database db, int maxFailures, Duration window, Timekeeper time) {
    return db.migrate(COMPONENT, MIGRATIONS).map(v -> new SqlAuthLockout(db, maxFailures, window, time));
  }

  @Override
  public Future<Long> retryAfterSeconds(String client) {
    long now = time.now().toEpochMilli();
    return db.preparedQuery(FIND).execute(Tuple.of(AuthLockout.key(client))).map(rows -> {
      for (io.vertx.sqlclient.Row r : rows) {
        long start = ((Number) r.getValue("window_start_ms")).longValue();
        int failures = ((Number) r.getValue("failures")).intValue();
        if (failures < maxFailures || now >= start + windowMs) return 0L;
        return Math.max(1, (start + windowMs - now + 999) / 1000);
      }
      return 0L;
    });
  }

  @Override
  public Future<Void> recordFailure(String client) {
    long now = time.now().toEpochMilli();
    long ended = now - windowMs;
    Future<Void> recorded = db.preparedQuery(RECORD).execute(Tuple.of(AuthLockout.key(client), now, ended, ended)).mapEmpty();
    long last = sweptAt.get();
    if (now - last < windowMs || !sweptAt.compareAndSet(last, now)) return recorded;
    return recorded.compose(v -> db.preparedQuery(DELETE_ENDED).execute(Tuple.of(ended)).mapEmpty());
  }
}
