/**
 * The seam between slow path and fast path: {@link io.isthmus.fastpath.control.FastpathControl}
 * (what the slow path asks), {@link io.isthmus.fastpath.control.FastpathTables} (the compiled
 * generations workers read) and {@link io.isthmus.fastpath.control.Published} (read-copy-update).
 */
package io.isthmus.fastpath.control;
