package io.isthmus.slowpath.manifest;

import java.nio.file.Path;

/**
 * Why one YAML document of a manifest directory was refused.
 *
 * @param file          the file it came from
 * @param documentIndex its position in the file, 0-based (documents are separated by {@code ---})
 * @param object        {@code Kind namespace/name} when that much could be read, else empty
 * @param reason        what is wrong, for a person
 */
public record ManifestError(Path file, int documentIndex, String object, String reason) {

    @Override
    public String toString() {
        return file + " document " + documentIndex + (object.isEmpty() ? "" : " (" + object + ")") + ": " + reason;
    }
}
