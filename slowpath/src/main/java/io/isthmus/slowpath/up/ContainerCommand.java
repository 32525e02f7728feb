package io.isthmus.slowpath.up;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to run for a pod: its first container's {@code command} followed by its {@code args} (there
 * are no images, so a container without {@code command} cannot be run), in {@code workingDir}
 * (default {@code /}), with a container's usual small environment plus the container's {@code env}:
 * plain values and the downward API fields {@code metadata.name}, {@code metadata.namespace},
 * {@code status.podIP}, {@code spec.nodeName}.
 */
public record ContainerCommand(List<String> argv, Map<String, String> environment, String workingDir) {
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Builds the command of {@code pod}, which got {@code podIp}; throws saying what is wrong. */
    public static ContainerCommand of(Pod pod, String podIp, String nodeName) {
        final String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()) {
            throw new IllegalArgumentException("Pod " + key + " has no containers");
        }
        if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            throw new IllegalArgumentException("Pod " + key + " asks for hostNetwork, which isthmus up does not run"
                    + " (it runs every pod in a network namespace of its own)");
        }
        final Container container = pod.getSpec().getContainers().getFirst();
        if (container.getCommand() == null || container.getCommand().isEmpty()) {
            throw new IllegalArgumentException("Pod " + key + " container '" + container.getName()
                    + "' has no command (isthmus up runs commands of this machine, not images)");
        }
        final List<String> argv = new ArrayList<>(container.getCommand());
        if (container.getArgs() != null) {
            argv.addAll(container.getArgs());
        }
        final Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", PATH);
        environment.put("HOME", "/root");
        environment.put("HOSTNAME", pod.getMetadata().getName());
        if (container.getEnv() != null) {
            for (EnvVar variable : container.getEnv()) {
                environment.put(variable.getName(), value(key, variable, pod, podIp, nodeName));
            }
        }
        final String workingDir = container.getWorkingDir() == null || container.getWorkingDir().isEmpty() ? "/" : container.getWorkingDir();
        return new ContainerCommand(List.copyOf(argv), Map.copyOf(environment), workingDir);
    }

    private static String value(String key, EnvVar variable, Pod pod, String podIp, String nodeName) {
        if (variable.getValueFrom() == null) {
            return variable.getValue() == null ? "" : variable.getValue();
        }
        if (variable.getValueFrom().getFieldRef() == null) {
            throw new IllegalArgumentException("Pod " + key + " env " + variable.getName()
                    + ": only value and valueFrom.fieldRef are supported by isthmus up");
        }
        final String field = variable.getValueFrom().getFieldRef().getFieldPath();
        return switch (field) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "status.podIP" -> podIp;
            case "spec.nodeName" -> nodeName;
            default -> throw new IllegalArgumentException("Pod " + key + " env " + variable.getName()
                    + ": fieldRef '" + field + "' is not supported (metadata.name, metadata.namespace, status.podIP, spec.nodeName are)");
        };
    }
}
