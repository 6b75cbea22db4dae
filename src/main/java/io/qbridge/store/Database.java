package io.qbridge.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open database of qbridge ({@code DATABASE_URL}): a Sql Client {@link Pool}, its {@link Engine}
 * and the versioned schema of each component. The foundation every stored component builds on
 * (accounts, Responses, leases, sessions, audit...).
 *
 * <h2>Writing statements</h2>
 * Write SQL once, with {@code ?} parameters and portable types ({@code TEXT}, {@code INTEGER},
 * {@code BIGINT}); {@link #sql} numbers the parameters for PostgreSQL. Where engines differ, branch
 * on {@link #engine()} in the component's own query class (as {@code account.SqlQueries} does).
 * Times stored as fixed-width UTC text compare correctly as text on both engines (PostgreSQL: use
 * {@code COLLATE "C"} when comparing).
 *
 * <h2>Migrations</h2>
 * A component opens the database, then calls {@link #migrate(String, List)} with all of its
 * {@link Migration}s, before it uses its tables. The table {@code qbridge_migrations} records
 * {@code (component, version)} of each applied migration; the missing ones are applied in version
 * order in <b>one transaction</b> that holds the database-wide migration lock, so several instances
 * starting at once apply each migration exactly once and never see a half-migrated schema
 * (PostgreSQL: {@code pg_advisory_xact_lock}, DDL is transactional; SQLite: {@code BEGIN IMMEDIATE},
 * the write lock, waited for up to {@code busy_timeout}). A failed migration rolls back and fails
 * the start. Example: {@code db.migrate("audit", List.of(Migration.of(1, "audit table", engine ->
 * List.of("CREATE TABLE audit_log (...)"))))}.
 *
 * <h2>Engines</h2>
 * <ul>
 *   <li>SQLite ({@code jdbc:sqlite:}): JDBC pool of {@code poolSize} (the account store uses exactly
 *       one: every statement of the process is serialised through it, so writers never meet
 *       {@code SQLITE_BUSY}). The URL gets {@code journal_mode=WAL}, {@code busy_timeout=5000} and
 *       {@code synchronous=NORMAL} unless given, applied by sqlite-jdbc to every connection it
 *       opens: another connection or process waits up to 5 s for the lock instead of failing.
 *       {@code synchronous=NORMAL} is SQLite's recommended setting for WAL: a process crash loses
 *       nothing, an OS crash or power cut the last commits (callers that must survive it run
 *       {@code PRAGMA wal_checkpoint} after their write, which fsyncs).
 *   <li>PostgreSQL ({@code postgres://}): the reactive vertx-pg-client pool (no worker threads,
 *       pipelined), {@link #POSTGRES_POOL_SIZE} connections unless told otherwise. A connection
 *       lost (server restarted) is replaced on the next use: the pool reconnects by itself.
 * </ul>
 * Thread-safety: like the Sql Client pool, usable from any context; results complete on the
 * caller's context.
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** Connections per PostgreSQL pool (each instance opens one pool per component that stores). */
  public static final int POSTGRES_POOL_SIZE = 8;
  /** The key of the PostgreSQL advisory lock serialising migrations across instances. */
  static final long MIGRATION_LOCK_KEY = 0x71627269646765L; // "qbridge"
  static final String MIGRATIONS_TABLE = "CREATE TABLE IF NOT EXISTS qbridge_migrations (component TEXT NOT NULL,"
      + " version INTEGER NOT NULL, description TEXT, applied_at TEXT, PRIMARY KEY (component, version))";

  private final Vertx vertx;
  private final Pool pool;
  private final DatabaseUrl url;
  /** Names pools opened without one. */
  private static final java.util.concurrent.atomic.AtomicInteger UNNAMED = new java.util.concurrent.atomic.AtomicInteger();

  private final Map<String, String> numbered = new ConcurrentHashMap<>();
  private final List<PgSubscriber> subscribers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private Database(Vertx vertx, Pool pool, DatabaseUrl url) {
    this.vertx = vertx;
    this.pool = pool;
    this.url = url;
  }

  /**
   * Opens a pool for {@code databaseUrl} ({@link DatabaseUrl} lists the forms) and checks the
   * database answers. {@code poolSize} applies to SQLite; PostgreSQL uses
   * {@link #POSTGRES_POOL_SIZE}. Fails with a {@link DatabaseException} naming the database
   * (never its password).
   */
  public static Future<Database> open(Vertx vertx, String databaseUrl, int poolSize) {
    return open(vertx, databaseUrl, poolSize, "qbridge-db-" + UNNAMED.incrementAndGet());
  }

  /**
   * As {@link #open(Vertx, String, int)}, the pool named {@code name} in the metrics
   * ({@code vertx_pool_*{pool_name=…}}, {@code vertx_sql_*{client_namespace=…}}): each component's
   * pool is told apart, and two pools never register the same meters (Micrometer warned at every
   * start when they all were "__vertx.DEFAULT", and when the SQL client meters had no tag at all).
   */
  public static Future<Database> open(Vertx vertx, String databaseUrl, int poolSize, String name) {
    DatabaseUrl url;
    Pool pool;
    try {
      url = DatabaseUrl.parse(databaseUrl);
      pool = switch (url.engine()) {
        case SQLITE -> JDBCPool.pool(vertx, new JDBCConnectOptions().setJdbcUrl(url.sqliteJdbcUrl()).setMetricsName(name),
            new PoolOptions().setMaxSize(poolSize).setName(name));
        case POSTGRES -> PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(POSTGRES_POOL_SIZE).setName(name))
            .with(new NetClientOptions().setConnectTimeout(url.connectTimeoutMs()))
            .connectingTo(url.postgresOptions().setMetricsName(name))
            .using(vertx)
            .build();
      };
    } catch (RuntimeException e) {
      return Future.failedFuture(e instanceof DatabaseException ? e : new DatabaseException(describe(e), e));
    }
    Database db = new Database(vertx, pool, url);
    return pool.query("SELECT 1").execute()
        .<Database>map(db)
        .recover(err -> pool.close().transform(v -> Future.failedFuture(
            new DatabaseException("Cannot open the database " + url.displayName() + ": " + describe(err), err))));
  }

  public Engine engine() {
    return url.engine();
  }

  /** The database for logs and errors (no password). */
  public String displayName() {
    return url.displayName();
  }

  /** The parsed URL (PostgreSQL's connect options, e.g. for a {@code PgSubscriber}). */
  public DatabaseUrl url() {
    return url;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Pool pool() {
    return pool;
  }

  /** {@code statement} with its {@code ?} parameters in this engine's syntax (see {@link Placeholders}). */
  public String sql(String statement) {
    if (url.engine() != Engine.POSTGRES) return statement;
    String cached = numbered.get(statement);
    if (cached != null) return cached;
    String converted = Placeholders.numbered(statement);
    if (numbered.size() < 1000) numbered.put(statement, converted); // statements are a fixed set; dynamic ones are rare
    return converted;
  }

  /** {@code pool.preparedQuery(sql(statement))}. */
  public PreparedQuery<RowSet<Row>> preparedQuery(String statement) {
    return pool.preparedQuery(sql(statement));
  }

  /** Closes the pool and the {@link #listen} subscriptions. */
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> closing = new java.util.ArrayList<>();
    subscribers.forEach(s -> closing.add(s.close()));
    closing.add(pool.close());
    return Future.join(closing).mapEmpty();
  }

  // ---- change notifications ----

  /** How long a lost {@link #listen} connection waits before it reconnects (and between attempts). */
  public static final long LISTEN_RECONNECT_MS = 500;

  /**
   * Calls {@code onChange} (on the caller's context) for every PostgreSQL {@code NOTIFY} on
   * {@code channel} (lower case), and also each time the subscription is (re)established, since
   * notifications sent while it was down are lost. A lost connection (server restarted) is
   * re-established every {@link #LISTEN_RECONNECT_MS} until {@link #close}. Senders use
   * {@code pg_notify(channel, payload)}, typically from a trigger, so a notification is sent only
   * when its transaction commits. SQLite has no notifications: a no-op there (one process owns
   * the file).
   */
  public void listen(String channel, Runnable onChange) {
    if (url.engine() != Engine.POSTGRES) return;
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx, url.postgresOptions())
        .reconnectPolicy(retries -> closed ? -1L : LISTEN_RECONNECT_MS);
    PgChannel ch = subscriber.channel(channel);
    ch.subscribeHandler(v -> {
      LOG.debug("database {}: listening on {}", url.displayName(), channel);
      onChange.run();
    });
    ch.handler(payload -> onChange.run());
    // a connection ended by a server restart: the reconnect policy handles it, the log says it once
    ch.exceptionHandler(err -> LOG.debug("database {}: listen connection failed: {}", url.displayName(), describe(err)));
    subscribers.add(subscriber);
    connect(subscriber, channel);
  }

  /** The first connection; once connected, the subscriber's reconnect policy takes over. */
  private void connect(PgSubscriber subscriber, String channel) {
    if (closed) return;
    subscriber.connect().onFailure(err -> {
      LOG.warn("database {}: cannot listen on {} ({}); retrying", url.displayName(), channel, describe(err));
      vertx.setTimer(LISTEN_RECONNECT_MS, id -> connect(subscriber, channel));
    });
  }

  // ---- migrations ----

  /**
   * Applies the migrations of {@code component} missing from {@code qbridge_migrations}, in
   * version order, in one transaction under the migration lock (see the class comment). Succeeds
   * when all are applied (also when there was nothing to do).
   */
  public Future<Void> migrate(String component, List<Migration> migrations) {
    List<Migration> ordered = migrations.stream().sorted(java.util.Comparator.comparingInt(Migration::version)).toList();
    return switch (url.engine()) {
      case POSTGRES -> pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
          .execute(Tuple.of(MIGRATION_LOCK_KEY))
          .compose(locked -> applyMissing(conn, component, ordered)));
      case SQLITE -> pool.withConnection(conn -> conn.query("BEGIN IMMEDIATE").execute()
          .compose(begun -> applyMissing(conn, component, ordered)
              .compose(v -> conn.query("COMMIT").execute().<Void>mapEmpty())
              .recover(err -> conn.query("ROLLBACK").execute().transform(r -> Future.<Void>failedFuture(err)))));
    };
  }

  private Future<Void> applyMissing(SqlConnection conn, String component, List<Migration> migrations) {
    return conn.query(MIGRATIONS_TABLE).execute()
        .compose(created -> conn.preparedQuery(sql("SELECT version FROM qbridge_migrations WHERE component = ?"))
            .execute(Tuple.of(component)))
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          rows.forEach(row -> applied.add(((Number) row.getValue(0)).intValue()));
          Future<Void> chain = Future.succeededFuture();
          for (Migration m : migrations) {
            if (applied.contains(m.version())) continue;
            chain = chain.compose(v -> m.step().apply(conn, this))
                .compose(v -> conn.preparedQuery(sql("INSERT INTO qbridge_migrations (component, version, description,"
                    + " applied_at) VALUES (?, ?, ?, ?)")).execute(Tuple.of(component, m.version(), m.description(),
                        Instant.now().toString())))
                .onSuccess(r -> LOG.info("database {}: applied migration {} v{} ({})", url.displayName(), component,
                    m.version(), m.description()))
                .mapEmpty();
          }
          return chain;
        })
        .recover(err -> Future.failedFuture(new DatabaseException("migration of " + component + " failed: "
            + describe(err), err)));
  }

  /** The messages of an exception and its causes, de-duplicated, for operators. */
  public static String describe(Throwable err) {
    List<String> parts = new java.util.ArrayList<>();
    for (Throwable t = err; t != null && parts.size() < 4; t = t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (parts.stream().noneMatch(p -> p.contains(m))) parts.add(m);
    }
    return String.join(": ", parts);
  }
}
