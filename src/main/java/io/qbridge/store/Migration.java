package io.qbridge.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.function.Function;

/**
 * One versioned schema change of one component (e.g. {@code accounts} v1: the accounts table).
 * Versions of a component start at 1 and only grow; a released migration is never edited, a fix is
 * a new version. See {@link Database#migrate} for how and when they run.
 *
 * @param version     1, 2, ... within the component
 * @param description one line, stored next to the version
 * @param step        the change; runs inside the migration transaction on {@code conn}, which is
 *                    the only connection to use (statements take {@code ?} parameters through
 *                    {@link Database#sql})
 */
public record Migration(int version, String description, Step step) {

  /** A schema change that may inspect the database before it changes it. */
  @FunctionalInterface
  public interface Step {
    Future<Void> apply(SqlConnection conn, Database db);
  }

  /** A migration made of plain DDL statements, which may differ by engine. */
  public static Migration of(int version, String description, Function<Engine, List<String>> statements) {
    return new Migration(version, description, (conn, db) -> {
      Future<Void> chain = Future.succeededFuture();
      for (String statement : statements.apply(db.engine())) {
        chain = chain.compose(v -> conn.query(statement).execute().mapEmpty());
      }
      return chain;
    });
  }
}
