package io.isthmus.lb.model;

/** A Service's namespace and name. */
public record ServiceName(String namespace, String name) implements Comparable<ServiceName> {

    public ServiceName {
        if (namespace == null || namespace.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("service needs a namespace and a name, got '" + namespace + "/" + name + "'");
        }
    }

    @Override
    public int compareTo(ServiceName o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
