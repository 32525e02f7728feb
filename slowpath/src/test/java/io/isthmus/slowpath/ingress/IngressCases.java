package io.isthmus.slowpath.ingress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The matching cases of {@code src/test/resources/ingress/routes/cases.txt}, run by the unit test,
 * the CLI test and the proxy tests alike.
 *
 * @param host     the Host header
 * @param target   the request target (path and maybe a query)
 * @param expected {@code NAMESPACE/SERVICE:PORT} or {@code 404}
 * @param upstream the request target the backend must receive
 */
public record IngressCases(String host, String target, String expected, String upstream) {
    public static final String CONTROLLER = "isthmus.io/ingress-controller";

    /** The directory of YAML the cases run over. */
    public static Path directory() {
        try {
            return Path.of(IngressCases.class.getResource("/ingress/routes").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<IngressCases> all() {
        final List<IngressCases> cases = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(directory().resolve("cases.txt"))) {
                final String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                final String[] f = trimmed.split("\\s+");
                cases.add(new IngressCases(f[0], f[1], f[2], f.length > 3 ? f[3] : f[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** The path part of the target. */
    public String path() {
        final int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    @Override
    public String toString() {
        return host + " " + target + " -> " + expected + (upstream.equals(target) ? "" : " " + upstream);
    }
}
