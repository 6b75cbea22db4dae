/**
 * What models an Amazon Q account may use: {@link io.qbridge.catalog.ModelCatalog} (the account's
 * {@code ListAvailableModels} answer, or the static fallback), its entries {@link
 * io.qbridge.catalog.ModelInfo} (id, display name, context window, max output), and the lenient
 * wire parser {@link io.qbridge.catalog.ModelCatalogParser} with its bounded page walk.
 *
 * <p>A leaf: no I/O and no other qbridge package (the upstream client fetches, the pool stores, the
 * chat flow and {@code convert.ModelMapper} read). Field meanings and what is certain, inferred or
 * unknown about the operation: {@code shared/docs/amazon-q-models-and-usage.md} §2.
 */
package io.qbridge.catalog;
