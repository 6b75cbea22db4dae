/**
 * How the pool chooses an account for a request, as small pure pieces the pool's leasing uses:
 * {@link io.qbridge.routing.ConversationKeys} (which request field names a conversation, hashed at
 * once), {@link io.qbridge.routing.StickyTable} (bounded LRU of conversation → account with a
 * sliding TTL), and {@link io.qbridge.routing.WeightedPick} (prefer accounts with more quota left
 * and fewer requests in flight). A leaf: no I/O, no other qbridge package; not thread-safe, used
 * on the pool verticle's event loop (key extraction is pure and runs anywhere).
 */
package io.qbridge.routing;
