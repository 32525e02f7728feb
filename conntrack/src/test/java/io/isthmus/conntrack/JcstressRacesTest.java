package io.isthmus.conntrack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

/**
 * Runs the conntrack jcstress tests (the {@code *Race} classes of this package) in a short
 * mode as part of {@code mvn test}. jcstress forks JVMs for the tests and throws at the end
 * of {@link JCStress#run()} when any outcome was FORBIDDEN or a test failed; this test also
 * checks the console summary. Longer runs: {@code -Djcstress.time=1000 -Djcstress.iters=5}.
 */
class JcstressRacesTest {

    /**
     * InsertInsertRace, InsertLookupRace, InsertClaimRace, ReuseLookupRace, RemoveRemoveRace, RemoveTrackRace,
     * ExpireTrackRace, RemoveInsertSlotRace.
     */
    private static final int RACES = 8;

    @Test
    void racesHaveOnlyAcceptableOutcomes() throws Exception {
        final Path results = Path.of("target", "jcstress-results");
        Files.createDirectories(results);
        final String[] args = {
            "-t", "io\\.isthmus\\.conntrack\\..*Race",
            "-time", System.getProperty("jcstress.time", "100"),
            "-iters", System.getProperty("jcstress.iters", "1"),
            "-f", "1",
            "-r", results.toString(),
            "-jvmArgs", "--enable-native-access=ALL-UNNAMED",
        };
        final Options options = new Options(args);
        assertTrue(options.parse(), "jcstress options");
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream tee = new PrintStream(new TeeStream(original, captured), true);
        System.setOut(tee);
        try {
            new JCStress(options).run();
        } finally {
            System.setOut(original);
            // jcstress writes its raw results into the working directory: keep them in target/.
            try (var leftovers = Files.newDirectoryStream(Path.of("."), "jcstress-results-*.bin.gz")) {
                for (Path file : leftovers) {
                    Files.move(file, results.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        final String output = captured.toString();
        final java.util.regex.Matcher summary = java.util.regex.Pattern
            .compile("Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs")
            .matcher(output);
        String last = null;
        while (summary.find()) {
            last = summary.group();
        }
        assertTrue(last != null, "jcstress printed no summary:\n" + output);
        assertTrue(output.contains("All remaining tests: " + RACES + " matching"), "expected " + RACES + " races to run:\n" + output);
        final java.util.regex.Matcher m = summary.reset(last);
        assertTrue(m.find());
        assertTrue(Integer.parseInt(m.group(1)) > 0 && m.group(1).equals(m.group(2)), "not every race passed: " + last);
        assertFalse(output.contains("Failed tests: No matches.") == false || output.contains("Error tests: No matches.") == false,
            "jcstress reported failed or erroring races:\n" + output);
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int value) throws java.io.IOException {
            a.write(value);
            b.write(value);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            a.write(bytes, offset, length);
            b.write(bytes, offset, length);
        }
    }
}
