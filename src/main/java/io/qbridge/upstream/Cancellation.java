package io.qbridge.upstream;

/**
 * Lets the client side abort an upstream call that has not produced a stream yet (the client
 * disconnected while we waited for Amazon Q's headers). Event-loop confined; idempotent.
 */
public final class Cancellation {

  private Runnable action;
  private boolean cancelled;

  /** Registers what cancelling does; runs it at once if cancel() came first. */
  void onCancel(Runnable action) {
    this.action = action;
    if (cancelled) action.run();
  }

  public void cancel() {
    if (cancelled) return;
    cancelled = true;
    if (action != null) action.run();
  }
}
