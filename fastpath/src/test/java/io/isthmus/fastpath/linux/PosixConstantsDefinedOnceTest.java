package io.isthmus.fastpath.linux;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every name {@link PosixConstants} defines is defined there only: a second definition elsewhere
 * in the main sources of a module that can see it (another module's private copy of AF_INET, ...)
 * fails here. The modules fastpath depends on cannot import it and are not scanned (conntrack's
 * HugePages and services-lb's TableMemory keep their own mmap numbers).
 */
class PosixConstantsDefinedOnceTest {
    /** Below fastpath in the dependency graph: PosixConstants is not on their class path. */
    private static final List<String> MODULES_BELOW_FASTPATH = List.of("conntrack", "services-lb", "policy-engine", "dns-responder", "cni-shim");

    @Test
    void noOtherMainSourceDefinesAPosixConstantAgain() throws IOException {
        final List<String> names = new ArrayList<>();
        for (Field field : PosixConstants.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && Modifier.isPublic(field.getModifiers())) {
                names.add(field.getName());
            }
        }
        final Pattern definition = Pattern.compile("\\bstatic\\s+final\\s+\\w+\\s+(" + String.join("|", names) + ")\\s*=");
        final Path root = repositoryRoot();
        final List<String> duplicates = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(path -> path.toString().endsWith(".java"))
                    .filter(path -> path.toString().contains("/src/main/java/"))
                    .filter(path -> !MODULES_BELOW_FASTPATH.contains(root.relativize(path).getName(0).toString()))
                    .filter(path -> !path.getFileName().toString().equals("PosixConstants.java"))
                    .forEach(path -> {
                        try {
                            final Matcher matcher = definition.matcher(Files.readString(path));
                            while (matcher.find()) {
                                duplicates.add(root.relativize(path) + " defines " + matcher.group(1));
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        assertTrue(duplicates.isEmpty(), "use io.isthmus.fastpath.linux.PosixConstants instead: " + duplicates);
    }

    /** The directory above this module that holds the parent pom (the repository root). */
    private static Path repositoryRoot() {
        final Path module = Path.of("").toAbsolutePath();
        final Path parent = module.getParent();
        assertTrue(parent != null && Files.isRegularFile(parent.resolve("pom.xml")) && Files.isDirectory(parent.resolve("slowpath")),
                "expected to run in the fastpath module of the repository, ran in " + module);
        return parent;
    }
}
