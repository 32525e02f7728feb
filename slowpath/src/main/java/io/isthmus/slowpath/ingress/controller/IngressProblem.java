package io.isthmus.slowpath.ingress.controller;

/**
 * Something in an Ingress that Isthmus refuses or cannot serve (a resource backend, a bad path,
 * a missing TLS Secret), for a log line and a Kubernetes Event on that Ingress.
 *
 * @param namespace the Ingress's namespace
 * @param name      the Ingress's name
 * @param reason    a CamelCase reason for the Event ({@code ResourceBackendRefused}, ...)
 * @param message   what is wrong, for a person
 */
public record IngressProblem(String namespace, String name, String reason, String message) {

    @Override
    public String toString() {
        return "Ingress " + namespace + "/" + name + ": " + message;
    }
}
