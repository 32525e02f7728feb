/**
 * The fast-path runtime's Service glue: the node's flow settings from the agent's configuration
 * ({@link io.isthmus.fastpath.runtime.services.NodeFlowSettings}), the shared ClientIP
 * session-affinity table ({@link io.isthmus.fastpath.runtime.services.ServiceAffinity}), and what
 * the control agent does after each Service compilation
 * ({@link io.isthmus.fastpath.runtime.services.ServiceCompileCycle}: publish, then flush the UDP
 * conntrack entries of backends that went away, then tell the health-check servers).
 */
package io.isthmus.fastpath.runtime.services;
