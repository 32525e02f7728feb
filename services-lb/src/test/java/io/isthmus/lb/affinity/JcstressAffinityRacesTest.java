package io.isthmus.lb.affinity;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

/**
 * Runs the affinity table's jcstress races ({@code *Race} in this package) briefly as part of
 * {@code mvn test} and fails on any FORBIDDEN outcome or error. By default one JVM configuration
 * per race, still run under 9 compilation modes each (about 45 s); the full matrix of JIT configurations (about 2.5 min on the shared
 * machine): {@code -Djcstress.jvmArgs=}; longer runs: {@code -Djcstress.time=1000 -Djcstress.iters=5}.
 */
class JcstressAffinityRacesTest {

    private static final String[] RACES = {"RememberLookupRace", "RememberRememberRace"};

    @Test
    void racesHaveOnlyAcceptableOutcomes() throws Exception {
        Path results = Path.of("target", "jcstress-results");
        Files.createDirectories(results);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
            "-t", "io\\.isthmus\\.lb\\.affinity\\..*Race",
            "-time", System.getProperty("jcstress.time", "100"),
            "-iters", System.getProperty("jcstress.iters", "1"),
            "-f", "1",
            "-v",
            "-r", results.toString()));
        String jvmArgs = System.getProperty("jcstress.jvmArgs", "-XX:+UseParallelGC");
        if (!jvmArgs.isEmpty()) {
            args.addAll(java.util.List.of("-jvmArgs", jvmArgs));
        }
        Options options = new Options(args.toArray(String[]::new));
        assertTrue(options.parse(), "jcstress options");
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new Tee(original, captured), true));
        try {
            new JCStress(options).run();
        } finally {
            System.setOut(original);
        }
        String output = captured.toString();
        Matcher summary = Pattern.compile("Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs").matcher(output);
        String last = null;
        while (summary.find()) {
            last = summary.group();
        }
        assertTrue(last != null, "jcstress printed no summary:\n" + output);
        for (String race : RACES) {
            assertTrue(output.contains(race), race + " did not run:\n" + output);
        }
        Matcher m = summary.reset(last);
        assertTrue(m.find());
        assertTrue(Integer.parseInt(m.group(1)) >= RACES.length && m.group(1).equals(m.group(2)), "not every race passed: " + last + "\n" + output);
        assertTrue(output.contains("Failed tests: No matches.") && output.contains("Error tests: No matches."),
                "jcstress reported failed or erroring races:\n" + output);
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int value) throws java.io.IOException {
            a.write(value);
            b.write(value);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
