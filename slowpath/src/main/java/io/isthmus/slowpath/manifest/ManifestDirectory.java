package io.isthmus.slowpath.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a directory of ordinary Kubernetes YAML (what {@code kubectl apply -f DIR} takes): every
 * {@code .yaml}, {@code .yml} and {@code .json} file below it, in path order, every document of
 * each file. Used by the offline commands ({@code isthmus policy eval}, {@code isthmus dns serve},
 * {@code isthmus ingress route}) and by {@code isthmus up} to seed its API server.
 *
 * <p>A document that is not a Kubernetes object (not a mapping, no apiVersion, kind or
 * metadata.name, or fields of the wrong type) becomes a {@link ManifestError} naming the file,
 * the document index and the reason; the other documents are still read. Deciding whether an
 * error is fatal is the caller's business. {@code kind: List} documents are expanded.
 */
public final class ManifestDirectory {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final List<Manifest> manifests;
    private final List<ManifestError> errors;

    private ManifestDirectory(List<Manifest> manifests, List<ManifestError> errors) {
        this.manifests = List.copyOf(manifests);
        this.errors = List.copyOf(errors);
    }

    /** Reads {@code dir} (or a single file). Throws only when the directory itself cannot be read. */
    public static ManifestDirectory load(Path dir) {
        if (!Files.exists(dir)) {
            throw new IllegalArgumentException("no such file or directory: " + dir);
        }
        final List<Manifest> manifests = new ArrayList<>();
        final List<ManifestError> errors = new ArrayList<>();
        for (Path file : manifestFiles(dir)) {
            readFile(file, manifests, errors);
        }
        return new ManifestDirectory(manifests, errors);
    }

    /** Every object read, in file and document order. */
    public List<Manifest> manifests() {
        return manifests;
    }

    /** Every document that was refused. */
    public List<ManifestError> errors() {
        return errors;
    }

    /** The objects of one type, in file and document order. */
    public <T extends HasMetadata> List<T> ofType(Class<T> type) {
        final List<T> found = new ArrayList<>();
        for (Manifest manifest : manifests) {
            if (type.isInstance(manifest.object())) {
                found.add(type.cast(manifest.object()));
            }
        }
        return found;
    }

    static String describe(String kind, String namespace, String name) {
        return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
    }

    private static List<Path> manifestFiles(Path dir) {
        if (Files.isRegularFile(dir)) {
            return List.of(dir);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        final String name = p.getFileName().toString();
                        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void readFile(Path file, List<Manifest> manifests, List<ManifestError> errors) {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            errors.add(new ManifestError(file, 0, "", "cannot read: " + e.getMessage()));
            return;
        }
        final Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        int index = 0;
        try {
            for (Object document : yaml.loadAll(text)) {
                if (document != null) {
                    readDocument(file, index, document, manifests, errors);
                }
                index++;
            }
        } catch (RuntimeException e) { // snakeyaml reports syntax errors as unchecked exceptions
            errors.add(new ManifestError(file, index, "", "invalid YAML: " + firstLine(e.getMessage())));
        }
    }

    private static void readDocument(Path file, int index, Object document, List<Manifest> manifests, List<ManifestError> errors) {
        if (!(document instanceof Map<?, ?> map)) {
            errors.add(new ManifestError(file, index, "", "not a Kubernetes object (a YAML mapping is expected)"));
            return;
        }
        final Object kind = map.get("kind");
        final Object metadata = map.get("metadata");
        final Object name = metadata instanceof Map<?, ?> m ? m.get("name") : null;
        final Object namespace = metadata instanceof Map<?, ?> m ? m.get("namespace") : null;
        if ("List".equals(kind) && map.get("items") instanceof List<?> items) {
            for (Object item : items) {
                readDocument(file, index, item, manifests, errors);
            }
            return;
        }
        final String object = kind instanceof String k && name instanceof String n
                ? describe(k, namespace instanceof String ns ? ns : null, n) : "";
        if (!(map.get("apiVersion") instanceof String) || !(kind instanceof String) || !(name instanceof String)) {
            errors.add(new ManifestError(file, index, object, "apiVersion, kind and metadata.name are required"));
            return;
        }
        try {
            final Object parsed = SERIALIZATION.unmarshal(SERIALIZATION.asJson(map));
            if (parsed instanceof HasMetadata hasMetadata) {
                manifests.add(new Manifest(hasMetadata, file, index));
            } else {
                errors.add(new ManifestError(file, index, object, "not a Kubernetes object"));
            }
        } catch (RuntimeException e) {
            errors.add(new ManifestError(file, index, object, "invalid object: " + firstLine(e.getMessage())));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no detail)";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
