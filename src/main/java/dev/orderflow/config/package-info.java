/**
 * Configuration: loaded once at start-up into immutable, validated records.
 *
 * <p>Layers, later ones winning: {@code conf/orderflow.json} (from the working directory, else the copy inside
 * the jar; it holds every default), the file named by {@code ORDERFLOW_CONFIG}, the {@code ORDERFLOW_*}
 * environment variables listed in {@link dev.orderflow.config.ConfigLoader}, then overrides given in code
 * (command-line flags, tests). A missing or out-of-range value stops start-up with a message naming it.
 */
package dev.orderflow.config;
