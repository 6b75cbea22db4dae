/**
 * How much of its monthly allowance an Amazon Q account has left: {@link
 * io.qbridge.quota.UsageLimits} (used, limit, reset, plan) parsed leniently from {@code
 * GetUsageLimits} by {@link io.qbridge.quota.UsageLimitsParser}. A leaf: no I/O, no other qbridge
 * package. Field meanings and evidence: {@code shared/docs/amazon-q-models-and-usage.md} §3.
 */
package io.qbridge.quota;
