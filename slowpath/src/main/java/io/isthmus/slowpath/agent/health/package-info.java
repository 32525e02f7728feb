/**
 * The agent's health-check node ports: for every LoadBalancer Service with externalTrafficPolicy
 * Local, an HTTP server on its {@code healthCheckNodePort} that answers as kube-proxy does (200
 * with local ready endpoints, else 503, and the JSON body), opened and closed as the fast path's
 * Service compilations list them.
 */
package io.isthmus.slowpath.agent.health;
