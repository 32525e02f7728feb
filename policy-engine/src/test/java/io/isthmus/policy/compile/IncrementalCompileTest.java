package io.isthmus.policy.compile;

import io.isthmus.policy.model.NamespaceInfo;
import io.isthmus.policy.model.PodInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property: after any sequence of changes, the incrementally maintained compiler's snapshot
 * decides exactly what a compiler fed the final state from scratch decides (compared as
 * canonical dumps, by identity meaning rather than number).
 */
class IncrementalCompileTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    @DisplayName("incremental recompilation = full compilation, over random label, pod, namespace and policy changes")
    void incrementalEqualsFull(long seed) {
        final io.isthmus.policy.RandomWorldAccess world = new io.isthmus.policy.RandomWorldAccess(seed);
        final PolicyCompiler incremental = world.fullCompiler();
        incremental.snapshot();
        int recompiledTotal = 0;
        for (int step = 0; step < 40; step++) {
            // One to three changes per snapshot: batches mix patches, recompilations and trie updates.
            String change = world.randomChange(incremental);
            for (int extra = (int) ((seed + step) % 3); extra > 0; extra--) {
                change += "; " + world.randomChange(incremental);
            }
            final PolicySnapshot snapshot = incremental.snapshot();
            recompiledTotal += incremental.tablesCompiledLastSnapshot() + incremental.tablesPatchedLastSnapshot();
            final PolicyCompiler full = world.fullCompiler();
            assertEquals(full.dump(full.snapshot()), incremental.dump(snapshot), "after step " + step + ": " + change);
        }
        assertTrue(recompiledTotal > 0, "the changes recompiled something");
    }

    @org.junit.jupiter.api.Test
    @DisplayName("a pod label change recompiles only the identities it can affect")
    void labelChangeRecompilesLittle() {
        final PolicyCompiler compiler = new PolicyCompiler();
        for (int app = 0; app < 20; app++) {
            compiler.putPod(new PodInfo("ns", "pod" + app, java.util.Map.of("app", "a" + app), List.of(), List.of(), true));
            compiler.putPolicy(io.isthmus.policy.Dsl.policy("ns", "allow-" + app, io.isthmus.policy.Dsl.sel("app", "a" + app))
                    .ingress(io.isthmus.policy.Dsl.rule(io.isthmus.policy.Dsl.peers(io.isthmus.policy.Dsl.pods(io.isthmus.policy.Dsl.sel("app", "a" + ((app + 1) % 20))))))
                    .build());
        }
        compiler.snapshot();
        assertEquals(20, compiler.tablesCompiledLastSnapshot());
        // pod0 becomes a new identity: its own table is compiled; pod19's (whose policy names app=a0)
        // is patched for the old and the new identity of pod0; the 18 others are untouched.
        compiler.putPod(new PodInfo("ns", "pod0", java.util.Map.of("app", "a0", "v", "2"), List.of(), List.of(), true));
        compiler.snapshot();
        assertEquals(1, compiler.tablesCompiledLastSnapshot());
        assertEquals(1, compiler.tablesPatchedLastSnapshot());
        compiler.putNamespace(NamespaceInfo.of("other", java.util.Map.of()));
        compiler.snapshot();
        assertEquals(0, compiler.tablesCompiledLastSnapshot());
        assertEquals(0, compiler.tablesPatchedLastSnapshot());
    }
}
