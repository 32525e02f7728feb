package io.isthmus.slowpath.up;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What {@code up} made for one pod, persisted in the state directory so that {@code down} can undo
 * it after a crash. Written before the namespace is created and again once the pod runs.
 *
 * @param namespace   the pod's namespace
 * @param name        the pod's name
 * @param netnsName   the network namespace ({@code /var/run/netns/NAME})
 * @param containerId the CNI container ID (what CNI DEL needs)
 * @param podIp       the address CNI ADD gave, empty until then
 * @param pid         the container command's pid (leader of its own process group), 0 until started
 */
public record PodRecord(String namespace, String name, String netnsName, String containerId, String podIp, long pid) {

    public String key() {
        return namespace + "/" + name;
    }

    public Path netnsPath() {
        return NetworkNamespaces.path(netnsName);
    }

    public PodRecord withAddress(String address) {
        return new PodRecord(namespace, name, netnsName, containerId, address, pid);
    }

    public PodRecord withPid(long processId) {
        return new PodRecord(namespace, name, netnsName, containerId, podIp, processId);
    }

    public void write(Path file) throws IOException {
        final Properties properties = new Properties();
        properties.setProperty("namespace", namespace);
        properties.setProperty("name", name);
        properties.setProperty("netns", netnsName);
        properties.setProperty("containerId", containerId);
        properties.setProperty("podIp", podIp);
        properties.setProperty("pid", Long.toString(pid));
        final StringWriter text = new StringWriter();
        properties.store(text, "isthmus up: pod " + key());
        UpState.writeAtomically(file, text.toString());
    }

    public static PodRecord read(Path file) throws IOException {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return new PodRecord(required(properties, "namespace", file), required(properties, "name", file),
                required(properties, "netns", file), required(properties, "containerId", file),
                properties.getProperty("podIp", ""), Long.parseLong(properties.getProperty("pid", "0")));
    }

    private static String required(Properties properties, String key, Path file) {
        final String value = properties.getProperty(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(file + " lacks '" + key + "'");
        }
        return value;
    }
}
