package io.isthmus.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The option reading the subcommands share: a value or a named refusal, parsed options or the usage answer. */
class CliArgsTest {
    @Test
    void aValueIsTheNextArgumentAndAMissingOneNamesTheOption() {
        final String[] args = {"--node", "a", "--kubeconfig"};
        assertEquals("a", CliArgs.value(args, 1, "--node"));
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> CliArgs.value(args, 3, "--kubeconfig"));
        assertEquals("--kubeconfig needs a value", missing.getMessage());
    }

    @Test
    void refusedOptionsPrintTheReasonAndTheUsageAndGiveNull() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals("parsed", CliArgs.parseOrExplain(err, "demo", "usage: isthmus demo", () -> "parsed"));
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
        final String refused = CliArgs.parseOrExplain(err, "demo", "usage: isthmus demo", () -> {
            throw new IllegalArgumentException("unknown option --x");
        });
        assertNull(refused);
        assertEquals("isthmus demo: unknown option --x" + System.lineSeparator() + "usage: isthmus demo" + System.lineSeparator(),
                bytes.toString(StandardCharsets.UTF_8));
        assertEquals(2, CliArgs.USAGE_EXIT);
    }
}
